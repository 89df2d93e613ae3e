package events

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Sources: the part of the kiosk that emits an event. They keep the names of
// the services of the well-known cloud design, which here are packages of one
// process.
const (
	SourceValidator      = "validator"
	SourceOrderProcessor = "order-processor"
	SourceOrderManager   = "order-manager"
	SourceConfigService  = "config-service"
)

// Detail types, as they appear in an envelope's detail-type.
const (
	TypeNewOrder         = "Validator.NewOrder"
	TypeScanRefused      = "Validator.ScanRefused"
	TypeWorkflowStarted  = "OrderProcessor.WorkflowStarted"
	TypeShopUnavailable  = "OrderProcessor.ShopUnavailable"
	TypeProcessorWaiting = "OrderProcessor.WaitingCompletion"
	TypeOrderTimeOut     = "OrderProcessor.OrderTimeOut"
	TypeOrderFinished    = "OrderProcessor.orderFinished"
	TypeManagerWaiting   = "OrderManager.WaitingCompletion"
	TypeMakeOrder        = "OrderManager.MakeOrder"
	TypeOrderCompleted   = "OrderManager.OrderCompleted"
	TypeOrderCancelled   = "OrderManager.OrderCancelled"
	TypeOrderCollected   = "OrderManager.OrderCollected"
	TypeConfigChanged    = "ConfigService.ConfigChanged"
	TypeBoothDayStarted  = "ConfigService.BoothDayStarted"
	TypeBoothClosing     = "ConfigService.BoothClosing"
	TypeBoothClosed      = "ConfigService.BoothClosed"
	TypeBroadcast        = "ConfigService.Broadcast"
)

// Detail is the typed body of an event. Each detail type of the catalogue
// has one Go type per version.
type Detail interface {
	// DetailType is the detail-type this body belongs to.
	DetailType() string
	// Validate checks the body's required fields and values.
	Validate() error
}

// orderScoped is implemented by details that belong to one order, so the log
// can be read per order.
type orderScoped interface{ orderRef() string }

// Entry describes one detail type at one version.
type Entry struct {
	DetailType string
	Version    int
	Source     string
	// Message is the plain-language explanation shown on the order journey
	// page; an event emitted without a message gets this one.
	Message string
	new     func() Detail
}

// catalogue lists every event the kiosk emits. Add new types and versions
// here; never change the meaning of a published version.
var catalogue = []Entry{
	{TypeNewOrder, 1, SourceValidator,
		"The QR code was valid, one of its drinks was taken, and a new order was opened.",
		func() Detail { return &NewOrder{} }},
	{TypeScanRefused, 1, SourceValidator,
		"A scanned QR code was refused: it was not valid, had expired, or had no drinks left.",
		func() Detail { return &ScanRefused{} }},
	{TypeWorkflowStarted, 1, SourceOrderProcessor,
		"The order workflow started: the shop is open and the queue has room. It now waits for the customer to choose a drink.",
		func() Detail { return &WorkflowStarted{} }},
	{TypeShopUnavailable, 1, SourceOrderProcessor,
		"The order could not be accepted: the shop is closed, the queue is full, or the customer has reached a limit.",
		func() Detail { return &ShopUnavailable{} }},
	{TypeProcessorWaiting, 1, SourceOrderProcessor,
		"The drink was chosen and the order got its number. The workflow now waits for a barista to make it.",
		func() Detail { return &ProcessorWaiting{} }},
	{TypeOrderTimeOut, 1, SourceOrderProcessor,
		"The order waited too long, for the customer to choose or for a barista to finish it, and was cancelled.",
		func() Detail { return &OrderTimeOut{} }},
	{TypeOrderFinished, 1, SourceOrderProcessor,
		"The order workflow ended.",
		func() Detail { return &OrderFinished{} }},
	{TypeManagerWaiting, 1, SourceOrderManager,
		"The order joined the baristas' queue and the big screen.",
		func() Detail { return &ManagerWaiting{} }},
	{TypeMakeOrder, 1, SourceOrderManager,
		"A barista started making the order, or put it back in the queue.",
		func() Detail { return &MakeOrder{} }},
	{TypeOrderCompleted, 1, SourceOrderManager,
		"The drink is ready for collection.",
		func() Detail { return &OrderCompleted{} }},
	{TypeOrderCancelled, 1, SourceOrderManager,
		"The order was cancelled.",
		func() Detail { return &OrderCancelled{} }},
	{TypeOrderCollected, 1, SourceOrderManager,
		"The drink left the ready list: handed over, or ready long enough.",
		func() Detail { return &OrderCollected{} }},
	{TypeConfigChanged, 1, SourceConfigService,
		"The shop's configuration changed: open or closed, the menu, or the settings.",
		func() Detail { return &ConfigChanged{} }},
	{TypeBoothDayStarted, 1, SourceConfigService,
		"Staff started a new booth day: order numbers start again at 1.",
		func() Detail { return &BoothDayStarted{} }},
	{TypeBroadcast, 1, SourceConfigService,
		"Staff sent a message to every waiting customer and the display (an empty one takes it down).",
		func() Detail { return &Broadcast{} }},
	{TypeBoothClosing, 1, SourceConfigService,
		"Staff are closing the booth: no new orders; those open may finish or time out.",
		func() Detail { return &BoothClosing{} }},
	{TypeBoothClosed, 1, SourceConfigService,
		"The booth is closed: every order has ended and a backup is written. It is safe to unplug.",
		func() Detail { return &BoothClosed{} }},
}

// Catalogue returns every entry, for documentation and for the apps.
func Catalogue() []Entry { return slices.Clone(catalogue) }

// Lookup finds the entry of a detail type at a version.
func Lookup(detailType string, version int) (Entry, bool) {
	for _, e := range catalogue {
		if e.DetailType == detailType && e.Version == version {
			return e, true
		}
	}
	return Entry{}, false
}

func latest(detailType string) (Entry, bool) {
	var found Entry
	ok := false
	for _, e := range catalogue {
		if e.DetailType == detailType && (!ok || e.Version > found.Version) {
			found, ok = e, true
		}
	}
	return found, ok
}

// Decode parses an event's detail strictly (unknown fields are an error) into
// the Go type of its detail type and version, and validates it.
func Decode(detailType string, version int, raw []byte) (Detail, error) {
	e, ok := Lookup(detailType, version)
	if !ok {
		return nil, fmt.Errorf("unknown event %q version %d", detailType, version)
	}
	d := e.new()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return nil, fmt.Errorf("%s detail: %w", detailType, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s detail: trailing data", detailType)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("%s detail: %w", detailType, err)
	}
	return d, nil
}

// Values shared by several details.
const (
	ByCustomer = "customer"
	ByStaff    = "staff"
	ByExpiry   = "expired"

	CauseCustomer = "customer"
	CauseBarista  = "barista"

	OutcomeCompleted = "completed"
	OutcomeCancelled = "cancelled"
	OutcomeTimedOut  = "timed_out"

	ActionMake   = "make"
	ActionUnmake = "unmake"
)

// Choice is one option picked in one option group, e.g. Milk: Oat.
type Choice struct {
	Group  string `json:"group"`
	Choice string `json:"choice"`
}

// DrinkOrder is what a customer ordered, resolved against the menu at the
// time: every option group of the drink has its choice.
type DrinkOrder struct {
	DrinkID string   `json:"drinkId"`
	Drink   string   `json:"drink"`
	Icon    string   `json:"icon"`
	Options []Choice `json:"options"`
}

// Period is a QR code's period as the display needs it; never the code.
type Period struct {
	StartsAt   int64 `json:"startsAt"` // Unix milliseconds
	EndsAt     int64 `json:"endsAt"`   // Unix milliseconds
	DrinksLeft int   `json:"drinksLeft"`
}

// NewOrder (Validator.NewOrder): a scanned code opened an order.
type NewOrder struct {
	OrderID string `json:"orderId"`
	UserID  string `json:"userId"`
	Period  Period `json:"period"`
	Message string `json:"message"`
}

// ScanRefused (Validator.ScanRefused): a scanned code was refused.
type ScanRefused struct {
	UserID  string `json:"userId"`
	Reason  string `json:"reason"` // a code of the apperr catalogue: qr_invalid, qr_expired, qr_used_up
	Message string `json:"message"`
}

// WorkflowStarted (OrderProcessor.WorkflowStarted): the order waits for the
// customer's drink.
type WorkflowStarted struct {
	OrderID        string `json:"orderId"`
	UserID         string `json:"userId"`
	TimeoutSeconds int    `json:"timeoutSeconds"`
	Message        string `json:"message"`
}

// ShopUnavailable (OrderProcessor.ShopUnavailable): a scan was refused by
// the bar's rules. OpenOrderID names the customer's order in progress when
// that was the reason.
type ShopUnavailable struct {
	UserID      string `json:"userId"`
	Reason      string `json:"reason"` // shop_closed, queue_full, daily_limit, open_order_exists
	OpenOrderID string `json:"openOrderId,omitempty"`
	Message     string `json:"message"`
}

// ProcessorWaiting (OrderProcessor.WaitingCompletion): the order has its
// number and waits for a barista.
type ProcessorWaiting struct {
	OrderID        string `json:"orderId"`
	UserID         string `json:"userId"`
	OrderNumber    int    `json:"orderNumber"`
	TimeoutSeconds int    `json:"timeoutSeconds"`
	Message        string `json:"message"`
}

// ManagerWaiting (OrderManager.WaitingCompletion): the order joins the queue
// with its drink.
type ManagerWaiting struct {
	OrderID      string     `json:"orderId"`
	UserID       string     `json:"userId"`
	OrderNumber  int        `json:"orderNumber"`
	BoothDay     int64      `json:"boothDay"`
	CustomerName string     `json:"customerName"`
	DrinkOrder   DrinkOrder `json:"drinkOrder"`
	Message      string     `json:"message"`
}

// MakeOrder (OrderManager.MakeOrder): a barista claimed the order (make), or
// released it (unmake, with an empty BaristaUserID).
type MakeOrder struct {
	OrderID       string `json:"orderId"`
	UserID        string `json:"userId"`
	OrderNumber   int    `json:"orderNumber"`
	Action        string `json:"action"`
	BaristaUserID string `json:"baristaUserId"`
	Message       string `json:"message"`
}

// OrderCompleted (OrderManager.OrderCompleted): the drink is ready.
type OrderCompleted struct {
	OrderID       string `json:"orderId"`
	UserID        string `json:"userId"`
	OrderNumber   int    `json:"orderNumber"`
	BaristaUserID string `json:"baristaUserId"`
	Message       string `json:"message"`
}

// OrderCancelled (OrderManager.OrderCancelled): the customer or staff
// cancelled the order. OrderNumber is zero when it had none yet.
type OrderCancelled struct {
	OrderID       string `json:"orderId"`
	UserID        string `json:"userId"`
	OrderNumber   int    `json:"orderNumber,omitempty"`
	CancelledBy   string `json:"cancelledBy"` // customer or staff
	ActorID       string `json:"actorId"`
	PreviousState string `json:"previousState"`
	Message       string `json:"message"`
}

// OrderTimeOut (OrderProcessor.OrderTimeOut): a deadline passed.
type OrderTimeOut struct {
	OrderID     string `json:"orderId"`
	UserID      string `json:"userId"`
	OrderNumber int    `json:"orderNumber,omitempty"`
	Cause       string `json:"cause"` // customer or barista
	Message     string `json:"message"`
}

// OrderFinished (OrderProcessor.orderFinished): the workflow ended.
type OrderFinished struct {
	OrderID     string `json:"orderId"`
	UserID      string `json:"userId"`
	OrderNumber int    `json:"orderNumber,omitempty"`
	Outcome     string `json:"outcome"` // completed, cancelled or timed_out
	Message     string `json:"message"`
}

// OrderCollected (OrderManager.OrderCollected): a ready drink left the ready
// list, handed over by staff or after the ready time passed.
type OrderCollected struct {
	OrderID     string `json:"orderId"`
	UserID      string `json:"userId"`
	OrderNumber int    `json:"orderNumber"`
	By          string `json:"by"` // staff or expired
	ActorID     string `json:"actorId,omitempty"`
	Message     string `json:"message"`
}

// ConfigChanged (ConfigService.ConfigChanged): the shop's configuration
// changed. Menu and Settings are the whole new values, as the config API
// returns them.
type ConfigChanged struct {
	Changed   string          `json:"changed"` // open, menu, settings, booth or seed
	StoreOpen bool            `json:"storeOpen"`
	Revision  int64           `json:"revision"`
	ActorID   string          `json:"actorId"`
	Menu      json.RawMessage `json:"menu"`
	Settings  json.RawMessage `json:"settings"`
	// Booth is the booth's name, public address and Wi-Fi; absent in events
	// written before the kiosk had booth settings.
	Booth   json.RawMessage `json:"booth,omitempty"`
	Message string          `json:"message"`
}

// BoothDayStarted (ConfigService.BoothDayStarted): order numbers restart.
type BoothDayStarted struct {
	BoothDay int64  `json:"boothDay"`
	ActorID  string `json:"actorId"`
	Message  string `json:"message"`
}

// Broadcast (ConfigService.Broadcast): a message from staff to everyone
// waiting, e.g. "grinder down, five minutes"; empty takes it down.
type Broadcast struct {
	Text    string `json:"text"`
	ActorID string `json:"actorId"`
	Message string `json:"message"`
}

// BoothClosing (ConfigService.BoothClosing): closing the booth has begun.
type BoothClosing struct {
	ActorID    string `json:"actorId"`
	OpenOrders int    `json:"openOrders"`
	Message    string `json:"message"`
}

// BoothClosed (ConfigService.BoothClosed): every order has ended and the
// database is backed up; the box may be unplugged.
type BoothClosed struct {
	Backup  string   `json:"backup"`           // the backup's file name in the data directory
	Copies  []string `json:"copies,omitempty"` // further copies, e.g. on a USB drive
	Message string   `json:"message"`
}

// DetailType methods tie each Go type to its catalogue entry.
func (*NewOrder) DetailType() string         { return TypeNewOrder }
func (*ScanRefused) DetailType() string      { return TypeScanRefused }
func (*WorkflowStarted) DetailType() string  { return TypeWorkflowStarted }
func (*ShopUnavailable) DetailType() string  { return TypeShopUnavailable }
func (*ProcessorWaiting) DetailType() string { return TypeProcessorWaiting }
func (*OrderTimeOut) DetailType() string     { return TypeOrderTimeOut }
func (*OrderFinished) DetailType() string    { return TypeOrderFinished }
func (*ManagerWaiting) DetailType() string   { return TypeManagerWaiting }
func (*MakeOrder) DetailType() string        { return TypeMakeOrder }
func (*OrderCompleted) DetailType() string   { return TypeOrderCompleted }
func (*OrderCancelled) DetailType() string   { return TypeOrderCancelled }
func (*OrderCollected) DetailType() string   { return TypeOrderCollected }
func (*ConfigChanged) DetailType() string    { return TypeConfigChanged }
func (*BoothDayStarted) DetailType() string  { return TypeBoothDayStarted }
func (*BoothClosing) DetailType() string     { return TypeBoothClosing }
func (*Broadcast) DetailType() string        { return TypeBroadcast }
func (*BoothClosed) DetailType() string      { return TypeBoothClosed }

func (d *NewOrder) orderRef() string         { return d.OrderID }
func (d *WorkflowStarted) orderRef() string  { return d.OrderID }
func (d *ProcessorWaiting) orderRef() string { return d.OrderID }
func (d *OrderTimeOut) orderRef() string     { return d.OrderID }
func (d *OrderFinished) orderRef() string    { return d.OrderID }
func (d *ManagerWaiting) orderRef() string   { return d.OrderID }
func (d *MakeOrder) orderRef() string        { return d.OrderID }
func (d *OrderCompleted) orderRef() string   { return d.OrderID }
func (d *OrderCancelled) orderRef() string   { return d.OrderID }
func (d *OrderCollected) orderRef() string   { return d.OrderID }

// check collects the names of missing or wrong fields.
type check []string

func (c *check) need(ok bool, field string) {
	if !ok {
		*c = append(*c, field)
	}
}

func (c check) err() error {
	if len(c) == 0 {
		return nil
	}
	return fmt.Errorf("missing or invalid: %s", strings.Join(c, ", "))
}

func oneOf(v string, allowed ...string) bool { return slices.Contains(allowed, v) }

// Validate checks the required fields.
func (d *NewOrder) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.Period.EndsAt > d.Period.StartsAt, "period")
	c.need(d.Period.DrinksLeft >= 0, "period.drinksLeft")
	return c.err()
}

// Validate checks the required fields.
func (d *ScanRefused) Validate() error {
	var c check
	c.need(d.UserID != "", "userId")
	c.need(oneOf(d.Reason, "qr_invalid", "qr_expired", "qr_used_up"), "reason")
	return c.err()
}

// Validate checks the required fields.
func (d *WorkflowStarted) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.TimeoutSeconds > 0, "timeoutSeconds")
	return c.err()
}

// Validate checks the required fields.
func (d *ShopUnavailable) Validate() error {
	var c check
	c.need(d.UserID != "", "userId")
	c.need(oneOf(d.Reason, "shop_closed", "queue_full", "daily_limit", "open_order_exists"), "reason")
	return c.err()
}

// Validate checks the required fields.
func (d *ProcessorWaiting) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.OrderNumber > 0, "orderNumber")
	c.need(d.TimeoutSeconds > 0, "timeoutSeconds")
	return c.err()
}

// Validate checks the required fields.
func (d *OrderTimeOut) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(oneOf(d.Cause, CauseCustomer, CauseBarista), "cause")
	return c.err()
}

// Validate checks the required fields.
func (d *OrderFinished) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(oneOf(d.Outcome, OutcomeCompleted, OutcomeCancelled, OutcomeTimedOut), "outcome")
	return c.err()
}

// Validate checks the required fields.
func (d *ManagerWaiting) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.OrderNumber > 0, "orderNumber")
	c.need(d.BoothDay > 0, "boothDay")
	c.need(d.CustomerName != "", "customerName")
	c.need(d.DrinkOrder.DrinkID != "" && d.DrinkOrder.Drink != "", "drinkOrder")
	for _, o := range d.DrinkOrder.Options {
		c.need(o.Group != "" && o.Choice != "", "drinkOrder.options")
	}
	return c.err()
}

// Validate checks the required fields.
func (d *MakeOrder) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.OrderNumber > 0, "orderNumber")
	c.need(oneOf(d.Action, ActionMake, ActionUnmake), "action")
	c.need((d.Action == ActionMake) == (d.BaristaUserID != ""), "baristaUserId")
	return c.err()
}

// Validate checks the required fields.
func (d *OrderCompleted) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.OrderNumber > 0, "orderNumber")
	c.need(d.BaristaUserID != "", "baristaUserId")
	return c.err()
}

// Validate checks the required fields.
func (d *OrderCancelled) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.OrderNumber >= 0, "orderNumber")
	c.need(oneOf(d.CancelledBy, ByCustomer, ByStaff), "cancelledBy")
	c.need(d.ActorID != "", "actorId")
	c.need(d.PreviousState != "", "previousState")
	return c.err()
}

// Validate checks the required fields.
func (d *OrderCollected) Validate() error {
	var c check
	c.need(d.OrderID != "", "orderId")
	c.need(d.UserID != "", "userId")
	c.need(d.OrderNumber > 0, "orderNumber")
	c.need(oneOf(d.By, ByStaff, ByExpiry), "by")
	c.need((d.By == ByStaff) == (d.ActorID != ""), "actorId")
	return c.err()
}

// Validate checks the required fields.
func (d *ConfigChanged) Validate() error {
	var c check
	c.need(oneOf(d.Changed, "open", "menu", "settings", "booth", "seed"), "changed")
	c.need(d.Revision > 0, "revision")
	c.need(d.ActorID != "", "actorId")
	c.need(json.Valid(d.Menu), "menu")
	c.need(json.Valid(d.Settings), "settings")
	c.need(len(d.Booth) == 0 || json.Valid(d.Booth), "booth")
	return c.err()
}

// Validate checks the required fields.
func (d *BoothDayStarted) Validate() error {
	var c check
	c.need(d.BoothDay > 0, "boothDay")
	c.need(d.ActorID != "", "actorId")
	return c.err()
}

// Validate checks the required fields.
func (d *BoothClosing) Validate() error {
	var c check
	c.need(d.ActorID != "", "actorId")
	c.need(d.OpenOrders >= 0, "openOrders")
	return c.err()
}

// Validate checks the required fields.
func (d *BoothClosed) Validate() error {
	var c check
	c.need(d.Backup != "", "backup")
	return c.err()
}

// MaxBroadcastRunes bounds a broadcast, so it fits a phone and the display.
const MaxBroadcastRunes = 140

// Validate checks the required fields.
func (d *Broadcast) Validate() error {
	var c check
	c.need(d.ActorID != "", "actorId")
	c.need(len([]rune(d.Text)) <= MaxBroadcastRunes, "text")
	return c.err()
}
