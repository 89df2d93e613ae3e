package booth

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// kind is the TOML type a setting takes.
type kind int

const (
	text kind = iota
	number
	flag
)

// setting describes one key of booth.toml: its type, an example line for
// messages, and how to check and apply a value. apply returns a problem in
// words and what the box uses instead, or two empty strings.
type setting struct {
	kind    kind
	example string
	apply   func(c *Config, v any) (problem, fallback string)
}

// sections are the tables booth.toml may have.
var sections = []string{"wifi", "network"}

// settings are every key booth.toml knows, by their dotted name.
var settings = map[string]setting{
	"name":                   {text, `name = "Coffee Bar"`, applyName},
	"language":               {text, `language = "en"`, applyLanguage},
	"admin_password":         {text, `admin_password = "a long secret"`, applyAdminPassword},
	"wifi.ssid":              {text, `ssid = "CoffeeBar"`, applySSID},
	"wifi.password":          {text, `password = "espresso2go"`, applyWiFiPassword},
	"wifi.country":           {text, `country = "DE"`, applyCountry},
	"wifi.channel":           {number, `channel = 6`, applyChannel},
	"network.address":        {text, `address = "10.42.0.1/24"`, applyAddress},
	"network.hostname":       {text, `hostname = "coffee.lan"`, applyHostname},
	"network.serve_dhcp_dns": {flag, `serve_dhcp_dns = true`, applyServeDHCPDNS},
}

// parse reads the contents of a settings file named path. See Load.
func parse(path string, raw []byte) (Config, error) {
	data := normalize(raw)
	if line, bad := invalidUTF8(data); bad {
		return Default(), Errors{{
			File: path, Line: line,
			Problem:  "The file is not saved as UTF-8 text, so letters such as ä or é cannot be read. Open it in a text editor and save it again choosing the UTF-8 encoding.",
			Fallback: "the default settings",
		}}
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return Default(), Errors{syntaxError(path, data, err)}
	}

	cfg := Default()
	r := reader{path: path, lines: keyLines(data), cfg: &cfg}
	for _, key := range r.inFileOrder(doc, "") {
		v := doc[key]
		if slices.Contains(sections, key) {
			table, ok := v.(map[string]any)
			if !ok {
				r.fail(key, fmt.Sprintf("%q is a section. Write [%s] on a line of its own and put its settings on the lines below it.", key, key), "")
				continue
			}
			for _, sub := range r.inFileOrder(table, key+".") {
				r.set(key+"."+sub, table[sub])
			}
			continue
		}
		r.set(key, v)
	}
	r.checkChannelForCountry()
	if len(r.errs) == 0 {
		return cfg, nil
	}
	slices.SortStableFunc(r.errs, func(a, b *Error) int { return a.Line - b.Line })
	return cfg, r.errs
}

// reader applies the settings of one parsed file to a Config.
type reader struct {
	path  string
	lines map[string]int
	cfg   *Config
	errs  Errors
	// channelSet and countrySet record which of the two were accepted from
	// the file, for the check that needs both.
	channelSet, countrySet bool
}

// inFileOrder returns the keys of m sorted by the line they are on, so
// problems are found, and reported, top to bottom.
func (r *reader) inFileOrder(m map[string]any, prefix string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := r.lineOf(prefix+a) - r.lineOf(prefix+b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return keys
}

func (r *reader) fail(key, problem, fallback string) {
	r.errs = append(r.errs, &Error{File: r.path, Line: r.lineOf(key), Key: key, Problem: problem, Fallback: fallback})
}

// lineOf returns the line of key, or of its section when the key itself
// cannot be found (it was written inside { } on the section's line).
func (r *reader) lineOf(key string) int {
	if n := r.lines[key]; n > 0 {
		return n
	}
	section, _, _ := strings.Cut(key, ".")
	return r.lines[section]
}

// set checks and applies one setting, or records why it cannot.
func (r *reader) set(key string, v any) {
	s, ok := settings[key]
	if !ok {
		r.fail(key, unknownKey(key, v), "")
		return
	}
	if problem := wrongType(s, v); problem != "" {
		_, fallback := s.apply(&Config{}, nil)
		r.fail(key, problem, fallback)
		return
	}
	if problem, fallback := s.apply(r.cfg, v); problem != "" {
		r.fail(key, problem, fallback)
		return
	}
	r.channelSet = r.channelSet || key == "wifi.channel"
	r.countrySet = r.countrySet || key == "wifi.country"
}

// checkChannelForCountry refuses channels that the country's rules forbid.
func (r *reader) checkChannelForCountry() {
	if !r.channelSet {
		return
	}
	w := &r.cfg.WiFi
	var problem string
	switch {
	case w.Channel == 14 && w.Country != "JP":
		problem = "Channel 14 is allowed only in Japan (country = \"JP\"). Use a channel from 1 to 13."
	case (w.Channel == 12 || w.Channel == 13) && (w.Country == "US" || w.Country == "CA"):
		problem = fmt.Sprintf("Channel %d is not allowed in %s. Use a channel from 1 to 11.", w.Channel, w.Country)
	default:
		return
	}
	w.Channel = DefaultChannel
	r.fail("wifi.channel", problem, fmt.Sprintf("channel %d", DefaultChannel))
}

// wrongType explains a value of the wrong TOML type, or returns "".
func wrongType(s setting, v any) string {
	switch s.kind {
	case text:
		if _, ok := v.(string); ok {
			return ""
		}
		return fmt.Sprintf("This setting needs text in double quotes, like %s, but it is %s.", s.example, describe(v))
	case number:
		if _, ok := v.(int64); ok {
			return ""
		}
		return fmt.Sprintf("This setting needs a whole number without quotes, like %s, but it is %s.", s.example, describe(v))
	default:
		if _, ok := v.(bool); ok {
			return ""
		}
		return fmt.Sprintf("This setting needs true or false without quotes, like %s, but it is %s.", s.example, describe(v))
	}
}

// describe names the type of a decoded TOML value in everyday words.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the text %q", v)
	case int64:
		return fmt.Sprintf("the number %d", v)
	case float64:
		return fmt.Sprintf("the decimal number %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any, []map[string]any:
		return "a list in square brackets"
	case map[string]any:
		return "a section"
	default:
		return "a date or time"
	}
}

// unknownKey explains a key that booth.toml does not have, suggesting the
// place or spelling that was probably meant.
func unknownKey(key string, v any) string {
	section, name, inSection := strings.Cut(key, ".")
	if !inSection {
		name, section = key, ""
	}
	if _, isTable := v.(map[string]any); isTable && !inSection {
		msg := fmt.Sprintf("There is no section [%s]. The sections are [wifi] and [network].", key)
		if near := closest(key, sections); near != "" {
			msg += fmt.Sprintf(" Did you mean [%s]?", near)
		}
		return msg
	}
	for known := range settings {
		ks, kn, ok := strings.Cut(known, ".")
		if !ok {
			kn, ks = known, ""
		}
		if kn != name || ks == section {
			continue
		}
		if ks == "" {
			return fmt.Sprintf("%q is not a setting of [%s]. Move it to the top of the file, above the first line in square brackets.", name, section)
		}
		return fmt.Sprintf("%q belongs in the [%s] section. Move it to the lines below [%s].", name, ks, ks)
	}
	var names []string
	for known := range settings {
		ks, kn, ok := strings.Cut(known, ".")
		if !ok {
			kn, ks = known, ""
		}
		if ks == section {
			names = append(names, kn)
		}
	}
	slices.Sort(names)
	msg := fmt.Sprintf("booth.toml has no setting called %q, so it is ignored.", key)
	if near := closest(name, names); near != "" {
		return msg + fmt.Sprintf(" Did you mean %q?", near)
	}
	return msg + " Check the spelling against booth.example.toml."
}

// closest returns the candidate within two edits of word, or "".
func closest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// syntaxError turns the TOML library's message into advice for someone who
// has never heard of TOML.
func syntaxError(path string, data []byte, err error) *Error {
	e := &Error{File: path, Fallback: "the default settings", Err: err}
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		e.Problem = "The file could not be read as settings: " + err.Error() + "."
		return e
	}
	e.Line = pe.Position.Line
	e.Key = pe.LastKey
	line := lineText(data, e.Line)
	msg := pe.Message
	switch {
	case strings.ContainsAny(line, "“”„‘’«»"):
		e.Problem = `This line has curly quotes (“ ” or ‘ ’), which word processors put in. Use straight double quotes, like ssid = "CoffeeBar", and edit the file in a plain text editor.`
	case strings.Contains(msg, "expected value but found"):
		e.Problem = `A value is missing its double quotes. Text goes in double quotes, like ssid = "CoffeeBar"; numbers and true or false do not.`
	case strings.Contains(msg, "cannot contain newlines"), strings.Contains(msg, "unexpected EOF"):
		e.Problem = `A text value is missing its closing double quote. Put a " at the end of the text.`
	case strings.Contains(msg, "already been defined"):
		e.Problem = "This setting or section appears twice. Keep only one of them."
	case strings.Contains(msg, "invalid escape"):
		e.Problem = `A backslash \ inside double quotes starts a special code. Write \\ for one backslash, or put the text in single quotes instead, like 'pass\word'.`
	case strings.Contains(msg, "table name"):
		e.Problem = "A section name must be written alone on its line in square brackets, like [wifi]."
	case strings.Contains(msg, "key name appears blank"):
		e.Problem = `This line starts with "=". Write the setting's name before it, like channel = 6.`
	case strings.Contains(msg, "top-level item to end"), strings.Contains(msg, "to end with a newline"):
		e.Problem = "There is something extra after the value on this line. Each setting goes on its own line; comments start with #."
	case strings.Contains(msg, "out of range"):
		e.Problem = "This number is far too large."
	default:
		e.Problem = "This line is not written the way booth.toml expects (" + msg + "). Compare it with booth.example.toml: settings look like name = \"value\"."
	}
	return e
}

// lineText returns line n (from 1) of data, or "".
func lineText(data []byte, n int) string {
	lines := bytes.Split(data, []byte("\n"))
	if n < 1 || n > len(lines) {
		return ""
	}
	return string(lines[n-1])
}

// invalidUTF8 reports the first line that is not valid UTF-8 or holds a NUL
// byte (UTF-16 saved without a byte order mark).
func invalidUTF8(data []byte) (line int, bad bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		if !utf8.Valid(l) || bytes.IndexByte(l, 0) >= 0 {
			return i + 1, true
		}
	}
	return 0, false
}

// keyLines maps each dotted key and section name in a well-formed file to
// the line it is on. It understands only what booth.toml needs (sections,
// plain and dotted keys); it is used for messages, never for values.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	section := ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			name := strings.Trim(l[:strings.IndexByte(l+"]", ']')], "[ \t")
			section = unquote(name)
			if _, seen := lines[section]; !seen {
				lines[section] = i + 1
			}
			continue
		}
		k, _, ok := strings.Cut(l, "=")
		if !ok || strings.HasPrefix(l, "#") {
			continue
		}
		key := unquote(k)
		if section != "" {
			key = section + "." + key
		}
		if _, seen := lines[key]; !seen {
			lines[key] = i + 1
		}
	}
	return lines
}

// unquote removes the quotes and spaces around the parts of a dotted key.
func unquote(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// hasControl reports whether s holds a tab, newline or other control
// character.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func applyName(c *Config, v any) (string, string) {
	fallback := fmt.Sprintf("the name %q", DefaultName)
	s, _ := v.(string)
	switch n := utf8.RuneCountInString(s); {
	case v == nil:
		return "", fallback
	case strings.TrimSpace(s) == "":
		return "The booth's name is empty.", fallback
	case n > 40:
		return fmt.Sprintf("The booth's name has %d characters; at most 40 fit on the display.", n), fallback
	case hasControl(s):
		return "The booth's name contains a tab or another invisible control character. Use plain text.", fallback
	}
	c.Name = strings.TrimSpace(s)
	return "", ""
}

func applyLanguage(c *Config, v any) (string, string) {
	fallback := "English"
	s, _ := v.(string)
	switch l := Language(strings.ToLower(strings.TrimSpace(s))); {
	case v == nil:
		return "", fallback
	case l == English || l == German:
		c.Language = l
		return "", ""
	}
	return fmt.Sprintf(`The language must be "en" for English or "de" for German, not %q.`, s), fallback
}

func applyAdminPassword(c *Config, v any) (string, string) {
	fallback := "a password it makes up and shows to staff"
	s, _ := v.(string)
	switch n := utf8.RuneCountInString(s); {
	case v == nil:
		return "", fallback
	case n == 0:
		// Empty asks the kiosk to make one up: not a problem.
	case n < 8:
		return fmt.Sprintf(`The admin password has %d characters; it needs at least 8. Or leave it empty ("") and the box makes one up.`, n), fallback
	case n > 128:
		return fmt.Sprintf("The admin password has %d characters; at most 128 are allowed.", n), fallback
	case hasControl(s):
		return "The admin password contains a tab or another invisible control character.", fallback
	}
	c.AdminPassword = s
	return "", ""
}

func applySSID(c *Config, v any) (string, string) {
	fallback := fmt.Sprintf("the Wi-Fi name %q", DefaultSSID)
	s, _ := v.(string)
	switch {
	case v == nil:
		return "", fallback
	case s == "":
		return "The Wi-Fi name is empty. Phones need a name to find the network.", fallback
	case len(s) > 32:
		return fmt.Sprintf("The Wi-Fi name is %d bytes long; Wi-Fi allows at most 32 (letters such as ä count as two).", len(s)), fallback
	case hasControl(s):
		return "The Wi-Fi name contains a tab or another invisible control character.", fallback
	case strings.TrimSpace(s) != s:
		return "The Wi-Fi name starts or ends with a space, which is hard to see on a phone. Remove the space.", fallback
	}
	c.WiFi.SSID = s
	return "", ""
}

func applyWiFiPassword(c *Config, v any) (string, string) {
	fallback := "an open Wi-Fi network without a password"
	s, _ := v.(string)
	if v == nil {
		return "", fallback
	}
	if s == "" {
		c.WiFi.Password = ""
		return "", ""
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			if unicode.IsPrint(r) {
				return fmt.Sprintf("The Wi-Fi password contains %q. Use only letters A to Z, digits, spaces and the symbols on an English keyboard, which every phone can type.", string(r)), fallback
			}
			return "The Wi-Fi password contains a tab or another invisible character.", fallback
		}
	}
	switch n := len(s); {
	case n < 8:
		return fmt.Sprintf(`The Wi-Fi password has %d characters; it needs 8 to 63. Or leave it empty ("") for an open network.`, n), fallback
	case n > 63:
		return fmt.Sprintf("The Wi-Fi password has %d characters; it can have at most 63.", n), fallback
	}
	c.WiFi.Password = s
	return "", ""
}

func applyCountry(c *Config, v any) (string, string) {
	fallback := fmt.Sprintf("the rules of %q", DefaultCountry)
	s, _ := v.(string)
	if v == nil {
		return "", fallback
	}
	code := strings.ToUpper(strings.TrimSpace(s))
	if code == "UK" {
		code = "GB" // The ISO code; people write UK.
	}
	if len(code) != 2 || !strings.Contains(countryCodes, code) || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return fmt.Sprintf(`The Wi-Fi country must be the two-letter code of the country the booth is in, such as "DE", "AT", "CH", "GB" or "US", not %q. It decides which channels are legal.`, s), fallback
	}
	c.WiFi.Country = code
	return "", ""
}

func applyChannel(c *Config, v any) (string, string) {
	fallback := fmt.Sprintf("channel %d", DefaultChannel)
	n, _ := v.(int64)
	switch {
	case v == nil:
		return "", fallback
	case n >= 1 && n <= 14, n == 36, n == 40, n == 44, n == 48:
		c.WiFi.Channel = int(n)
		return "", ""
	case n > 48 && n <= 196:
		return fmt.Sprintf("Channel %d is a 5 GHz channel that needs radar detection or is not allowed everywhere. Use 36, 40, 44 or 48 for 5 GHz, or 1 to 13 for 2.4 GHz.", n), fallback
	}
	return fmt.Sprintf("There is no Wi-Fi channel %d. Use 1 to 13 for 2.4 GHz (1, 6 and 11 do not overlap), or 36, 40, 44 or 48 for 5 GHz.", n), fallback
}

func applyAddress(c *Config, v any) (string, string) {
	fallback := "the address " + DefaultAddress
	s, _ := v.(string)
	if v == nil {
		return "", fallback
	}
	s = strings.TrimSpace(s)
	var p netip.Prefix
	var err error
	if strings.Contains(s, "/") {
		p, err = netip.ParsePrefix(s)
	} else {
		var a netip.Addr
		if a, err = netip.ParseAddr(s); err == nil {
			p = netip.PrefixFrom(a, 24)
		}
	}
	example := `like "10.42.0.1/24" or "192.168.4.1"`
	switch {
	case err != nil || !p.Addr().Is4():
		return fmt.Sprintf("The address %q is not an IPv4 address. Write four numbers separated by dots, %s.", s, example), fallback
	case !p.Addr().IsPrivate():
		return fmt.Sprintf("The address %q is not a private network address. Use one starting with 10., 172.16. to 172.31., or 192.168., %s.", s, example), fallback
	case p.Bits() < 8 || p.Bits() > 30:
		return fmt.Sprintf("The network size /%d in %q does not work for a booth; /24 (up to 253 devices) is usual.", p.Bits(), s), fallback
	}
	base := p.Masked().Addr()
	if p.Addr() == base || p.Addr() == broadcast(p) {
		return fmt.Sprintf("%s is the network's own number or its broadcast address, not one a device can have. Use, for example, %s.", p.Addr(), base.Next()), fallback
	}
	c.Network.Address = p
	return "", ""
}

// broadcast returns the last address of an IPv4 prefix.
func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// hstsTLDs are top-level domains whose every name browsers force to HTTPS,
// which an offline box cannot serve with a trusted certificate.
var hstsTLDs = []string{"app", "bank", "boo", "dad", "day", "dev", "esq", "foo", "ing", "meme", "mov", "new", "nexus", "page", "phd", "prof", "rsvp", "zip"}

func applyHostname(c *Config, v any) (string, string) {
	fallback := "the name " + DefaultHostname
	s, _ := v.(string)
	if v == nil {
		return "", fallback
	}
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	labels := strings.Split(h, ".")
	tld := labels[len(labels)-1]
	switch {
	case strings.Contains(h, "/") || strings.Contains(h, ":"):
		return fmt.Sprintf(`Write only the name, without "http://", a port or slashes, like hostname = "coffee.lan"; not %q.`, s), fallback
	case tld == "local":
		return `Names ending in ".local" do not work on many phones. Use a name such as "coffee.lan".`, fallback
	case len(labels) < 2:
		return fmt.Sprintf(`The name %q needs a dot, like "coffee.lan": browsers treat a name without a dot as a web search.`, s), fallback
	case slices.Contains(hstsTLDs, tld):
		return fmt.Sprintf(`Browsers insist on a secure connection for every name ending in ".%s", which the box cannot offer offline. Use a name such as "coffee.lan".`, tld), fallback
	case h == "localhost" || tld == "localhost":
		return `"localhost" always means the phone itself. Use a name such as "coffee.lan".`, fallback
	case len(h) > 253 || !validLabels(labels):
		return fmt.Sprintf(`The name %q may use only letters a to z, digits and hyphens, in parts separated by dots, like "coffee.lan".`, s), fallback
	case strings.Trim(tld, "0123456789") == "":
		return fmt.Sprintf(`%q looks like an address, not a name. Put addresses in "address" and a name such as "coffee.lan" here.`, s), fallback
	}
	c.Network.Hostname = h
	return "", ""
}

// validLabels reports whether each label is 1 to 63 letters, digits and
// inner hyphens.
func validLabels(labels []string) bool {
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func applyServeDHCPDNS(c *Config, v any) (string, string) {
	if v == nil {
		return "", "true (the box hands out addresses itself)"
	}
	c.Network.ServeDHCPDNS = v.(bool)
	return "", ""
}

// countryCodes are the ISO 3166-1 alpha-2 codes, space separated.
const countryCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS " +
	"BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE " +
	"EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM " +
	"HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC " +
	"LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
	"NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO " +
	"TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
