// Package shop is the config service: whether the shop is open, the menu,
// the settings of the bar's rules, and the booth day that order numbers
// count within. Every change is validated as a whole, saved, and announced
// with ConfigService.ConfigChanged in the same transaction.
package shop

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/text"
)

// Settings are the numbers of the bar's rules. Every field is a setting so
// a booth can tune it; the defaults are the design's.
type Settings struct {
	QRPeriodSeconds         int `json:"qrPeriodSeconds"`
	DrinksPerCode           int `json:"drinksPerCode"`
	MaxInFlight             int `json:"maxInFlight"`
	CustomerTimeoutSeconds  int `json:"customerTimeoutSeconds"`
	BaristaTimeoutSeconds   int `json:"baristaTimeoutSeconds"`
	DrinksPerCustomerPerDay int `json:"drinksPerCustomerPerDay"`
	ReadySeconds            int `json:"readySeconds"`
}

// Defaults are the settings of a new box.
var Defaults = Settings{
	// A new code every 5 minutes: a photo of the screen is useless by the
	// time it reaches a friend.
	QRPeriodSeconds: 300,
	// 10 drinks a code caps the bar at 120 orders an hour, about what two
	// baristas can make.
	DrinksPerCode: 10,
	// At most 20 orders in flight, counting those still choosing, so the
	// queue never grows beyond what the baristas can see at a glance.
	MaxInFlight: 20,
	// 15 minutes to choose: long enough for a slow phone and a long menu.
	CustomerTimeoutSeconds: 900,
	// 15 minutes for the baristas before an order is given up as missed.
	BaristaTimeoutSeconds: 900,
	// One drink per customer per booth day (0 means no limit).
	DrinksPerCustomerPerDay: 1,
	// A ready drink stays on the ready list for 10 minutes unless handed over.
	ReadySeconds: 600,
}

// limit is the range a setting may take.
type limit struct {
	name     string
	get      func(*Settings) *int
	min, max int
	unit     string
}

var limits = []limit{
	{"qrPeriodSeconds", func(s *Settings) *int { return &s.QRPeriodSeconds }, 30, 3600, "seconds"},
	{"drinksPerCode", func(s *Settings) *int { return &s.DrinksPerCode }, 1, 1000, "drinks"},
	{"maxInFlight", func(s *Settings) *int { return &s.MaxInFlight }, 1, 1000, "orders"},
	{"customerTimeoutSeconds", func(s *Settings) *int { return &s.CustomerTimeoutSeconds }, 30, 7200, "seconds"},
	{"baristaTimeoutSeconds", func(s *Settings) *int { return &s.BaristaTimeoutSeconds }, 60, 14400, "seconds"},
	{"drinksPerCustomerPerDay", func(s *Settings) *int { return &s.DrinksPerCustomerPerDay }, 0, 100, "drinks"},
	{"readySeconds", func(s *Settings) *int { return &s.ReadySeconds }, 10, 7200, "seconds"},
}

// Validate checks every setting against its range.
func (s Settings) Validate() error {
	var bad []string
	for _, l := range limits {
		if v := *l.get(&s); v < l.min || v > l.max {
			bad = append(bad, fmt.Sprintf("%s must be from %d to %d %s (got %d)", l.name, l.min, l.max, l.unit, v))
		}
	}
	if len(bad) > 0 {
		return apperr.SettingsInvalid.With("The settings are not valid: %s.", strings.Join(bad, "; "))
	}
	return nil
}

// OptionGroup is a choice the customer makes for a drink, one option of
// several, e.g. Milk: Regular, Oat, None. The first option is the default.
type OptionGroup struct {
	Name    string   `json:"name"`
	Choices []string `json:"choices"`
}

// Drink is one item of the menu.
type Drink struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Icon      string        `json:"icon"`
	Available bool          `json:"available"`
	Options   []OptionGroup `json:"options"`
}

// Menu is the list of drinks, in the order the customer sees them.
type Menu []Drink

// Limits of the menu, so a menu fits a phone screen and a ticket.
const (
	MaxDrinks     = 40
	MaxGroups     = 5
	MaxChoices    = 10
	MaxNameRunes  = 40
	MaxLabelRunes = 24
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Validate checks the whole menu and cleans its labels; the first problem
// found is reported with the drink and group it is in.
func (m Menu) Validate() (Menu, error) {
	bad := func(format string, args ...any) (Menu, error) {
		return nil, apperr.MenuInvalid.With("The menu is not valid: "+format+".", args...)
	}
	if len(m) == 0 {
		return bad("it has no drinks")
	}
	if len(m) > MaxDrinks {
		return bad("it has %d drinks; at most %d fit", len(m), MaxDrinks)
	}
	out := make(Menu, len(m))
	ids := map[string]bool{}
	for i, d := range m {
		where := fmt.Sprintf("drink %d", i+1)
		if !idPattern.MatchString(d.ID) {
			return bad("%s has id %q; an id is 1 to 32 lower-case letters, digits and dashes", where, d.ID)
		}
		where = fmt.Sprintf("drink %q", d.ID)
		if ids[d.ID] {
			return bad("the id %q is used twice", d.ID)
		}
		ids[d.ID] = true
		name, ok := text.Clean(d.Name, MaxNameRunes)
		if !ok {
			return bad("%s needs a name of 1 to %d characters", where, MaxNameRunes)
		}
		if !idPattern.MatchString(d.Icon) {
			return bad("%s has icon %q; an icon name is lower-case letters, digits and dashes", where, d.Icon)
		}
		if len(d.Options) > MaxGroups {
			return bad("%s has %d option groups; at most %d", where, len(d.Options), MaxGroups)
		}
		groups := make([]OptionGroup, len(d.Options))
		groupNames := map[string]bool{}
		for j, g := range d.Options {
			gname, ok := text.Clean(g.Name, MaxLabelRunes)
			if !ok {
				return bad("%s: option group %d needs a name of 1 to %d characters", where, j+1, MaxLabelRunes)
			}
			if groupNames[strings.ToLower(gname)] {
				return bad("%s has two option groups called %q", where, gname)
			}
			groupNames[strings.ToLower(gname)] = true
			if len(g.Choices) == 0 {
				return bad("%s: option group %q has no options", where, gname)
			}
			if len(g.Choices) > MaxChoices {
				return bad("%s: option group %q has %d options; at most %d", where, gname, len(g.Choices), MaxChoices)
			}
			choices := make([]string, len(g.Choices))
			seen := map[string]bool{}
			for k, c := range g.Choices {
				cname, ok := text.Clean(c, MaxLabelRunes)
				if !ok {
					return bad("%s: option %d of %q needs a name of 1 to %d characters", where, k+1, gname, MaxLabelRunes)
				}
				if seen[strings.ToLower(cname)] {
					return bad("%s: option group %q lists %q twice", where, gname, cname)
				}
				seen[strings.ToLower(cname)] = true
				choices[k] = cname
			}
			groups[j] = OptionGroup{Name: gname, Choices: choices}
		}
		out[i] = Drink{ID: d.ID, Name: name, Icon: d.Icon, Available: d.Available, Options: groups}
	}
	return out, nil
}

// clone is a deep copy of the menu; nil and empty lists stay as they are.
func (m Menu) clone() Menu {
	if m == nil {
		return nil
	}
	out := make(Menu, len(m))
	for i, d := range m {
		d.Options = slices.Clone(d.Options)
		for j := range d.Options {
			d.Options[j].Choices = slices.Clone(d.Options[j].Choices)
		}
		out[i] = d
	}
	return out
}

// Find returns the drink with the id.
func (m Menu) Find(id string) (Drink, bool) {
	for _, d := range m {
		if d.ID == id {
			return d, true
		}
	}
	return Drink{}, false
}

// Resolve checks a customer's choices against the drink and returns the
// complete order: every option group gets its choice, the first option where
// the customer chose none. A group that is not the drink's, an option that is
// not the group's, or two choices for one group are refused.
func (d Drink) Resolve(chosen []events.Choice) (events.DrinkOrder, error) {
	picked := map[string]string{}
	for _, c := range chosen {
		g, ok := d.group(c.Group)
		if !ok {
			return events.DrinkOrder{}, apperr.OptionInvalid.With("%s has no option %q.", d.Name, c.Group)
		}
		if _, dup := picked[g.Name]; dup {
			return events.DrinkOrder{}, apperr.OptionRepeated.With("Please choose only one %s.", g.Name)
		}
		choice, ok := g.choice(c.Choice)
		if !ok {
			return events.DrinkOrder{}, apperr.OptionInvalid.With("%q is not a choice of %s for %s.", c.Choice, g.Name, d.Name)
		}
		picked[g.Name] = choice
	}
	order := events.DrinkOrder{DrinkID: d.ID, Drink: d.Name, Icon: d.Icon, Options: []events.Choice{}}
	for _, g := range d.Options {
		choice, ok := picked[g.Name]
		if !ok {
			choice = g.Choices[0]
		}
		order.Options = append(order.Options, events.Choice{Group: g.Name, Choice: choice})
	}
	return order, nil
}

func (d Drink) group(name string) (OptionGroup, bool) {
	for _, g := range d.Options {
		if strings.EqualFold(g.Name, strings.TrimSpace(name)) {
			return g, true
		}
	}
	return OptionGroup{}, false
}

func (g OptionGroup) choice(name string) (string, bool) {
	for _, c := range g.Choices {
		if strings.EqualFold(c, strings.TrimSpace(name)) {
			return c, true
		}
	}
	return "", false
}

// DemoMenu is the menu a new box starts with.
func DemoMenu() Menu {
	milk := OptionGroup{Name: "Milk", Choices: []string{"Regular", "Oat"}}
	return Menu{
		{ID: "espresso", Name: "Espresso", Icon: "espresso", Available: true,
			Options: []OptionGroup{{Name: "Shots", Choices: []string{"Single", "Double"}}}},
		{ID: "americano", Name: "Americano", Icon: "americano", Available: true,
			Options: []OptionGroup{{Name: "Milk", Choices: []string{"None", "Regular", "Oat"}}}},
		{ID: "flat-white", Name: "Flat White", Icon: "flat-white", Available: true,
			Options: []OptionGroup{milk}},
		{ID: "cappuccino", Name: "Cappuccino", Icon: "cappuccino", Available: true,
			Options: []OptionGroup{milk, {Name: "Size", Choices: []string{"Regular", "Large"}}}},
		{ID: "latte", Name: "Caffè Latte", Icon: "latte", Available: true,
			Options: []OptionGroup{milk, {Name: "Syrup", Choices: []string{"None", "Vanilla", "Caramel"}}}},
		{ID: "mocha", Name: "Mocha", Icon: "mocha", Available: true,
			Options: []OptionGroup{milk}},
		{ID: "tea", Name: "Tea", Icon: "tea", Available: true,
			Options: []OptionGroup{{Name: "Tea", Choices: []string{"Black", "Green", "Peppermint"}},
				{Name: "Milk", Choices: []string{"None", "Regular", "Oat"}}}},
		{ID: "hot-chocolate", Name: "Hot Chocolate", Icon: "hot-chocolate", Available: true,
			Options: []OptionGroup{milk}},
	}
}
