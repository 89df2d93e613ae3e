package api

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/coffeebar/kiosk/access"
	"github.com/coffeebar/kiosk/apperr"
	"github.com/coffeebar/kiosk/events"
	"github.com/coffeebar/kiosk/order"
	"github.com/coffeebar/kiosk/stats"
)

func (s *Server) boothRoutes(a fiber.Router) {
	a.Get("/stats", s.getStats)
	a.Get("/orders/:id/journey", s.journey)
	a.Get("/broadcast", s.getBroadcast)
	a.Post("/broadcast", s.postBroadcast)
}

// statsCache keeps the current day's figures: every phone asking for its
// estimated wait would otherwise re-read the day's log, which grows through
// the day.
type statsCache struct {
	mu   sync.Mutex
	day  int64
	head int64
	at   time.Time
	figs stats.Day
}

// estimateAge is how old the figures behind a customer's estimated wait may
// be; staff's figures page always gets them as of the newest event.
const estimateAge = 5 * time.Second

// currentStats is today's figures, computed again when the log has grown
// and the cached ones are older than maxAge (0: whenever the log has grown).
func (s *Server) currentStats(c *fiber.Ctx, maxAge time.Duration) (stats.Day, error) {
	cfg, err := s.d.Shop.Config(c.UserContext())
	if err != nil {
		return stats.Day{}, err
	}
	head, err := s.d.Store.Head(c.UserContext())
	if err != nil {
		return stats.Day{}, err
	}
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	if s.stats.day == cfg.BoothDay && (s.stats.head == head || time.Since(s.stats.at) < maxAge) {
		return s.stats.figs, nil
	}
	figs, err := stats.Compute(c.UserContext(), s.d.Store.DB().Read(), cfg.BoothDay)
	if err != nil {
		return stats.Day{}, err
	}
	s.stats.day, s.stats.head, s.stats.at, s.stats.figs = cfg.BoothDay, head, time.Now(), figs
	return figs, nil
}

// getStats is the figures of a booth day, for staff and the display.
func (s *Server) getStats(c *fiber.Ctx) error {
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	if w.session == nil {
		return apperr.Unauthorized
	}
	if q := c.Query("boothDay"); q != "" {
		day, err := strconv.ParseInt(q, 10, 64)
		if err != nil || day < 1 {
			return apperr.Invalid.With("boothDay must be a booth day's number (1 or more).")
		}
		figs, err := stats.Compute(c.UserContext(), s.d.Store.DB().Read(), day)
		if err != nil {
			return err
		}
		return c.JSON(figs)
	}
	figs, err := s.currentStats(c, 0)
	if err != nil {
		return err
	}
	return c.JSON(figs)
}

// estimate adds the estimated wait to a queued order's customer view.
func (s *Server) estimate(c *fiber.Ctx, v *customerOrder) {
	if v.State != order.Queued && v.State != order.Making {
		return
	}
	figs, err := s.currentStats(c, estimateAge)
	if err != nil {
		return
	}
	pos := v.Position
	if v.State == order.Making {
		pos = 1
	}
	if est, ok := stats.EstimatedWait(figs, pos); ok {
		v.EstimatedWaitSeconds = int(est.Seconds())
	}
}

// journeyStep is one event in an order's journey: what happened, when,
// which part of the kiosk did it and why.
type journeyStep struct {
	Type    string    `json:"type"`
	Source  string    `json:"source"`
	Time    time.Time `json:"time"`
	AfterMs int64     `json:"afterMs"` // since the scan, on the running time
	Message string    `json:"message"`
	Number  int       `json:"orderNumber,omitempty"`
	Cause   string    `json:"cause,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	Action  string    `json:"action,omitempty"`
	By      string    `json:"by,omitempty"`
	Drink   string    `json:"drink,omitempty"`
}

// journey is an order's timeline, for its customer and for staff. It holds
// no ids of anyone else.
func (s *Server) journey(c *fiber.Ctx) error {
	w, err := s.identify(c)
	if err != nil {
		return err
	}
	actor := w.customerActor()
	if a, ok := w.staff(); ok {
		actor = a
	}
	if actor.ID == "" {
		return apperr.Unauthorized
	}
	o, err := s.d.Orders.Get(c.UserContext(), actor, c.Params("id"))
	if err != nil {
		return err
	}
	evs, err := s.d.Store.ForOrder(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	steps := make([]journeyStep, 0, len(evs))
	for _, e := range evs {
		d, err := e.Decode()
		if err != nil {
			continue
		}
		st := journeyStep{Type: e.DetailType, Source: e.Source, Time: e.Time, AfterMs: e.RunTimeMs - evs[0].RunTimeMs}
		switch x := d.(type) {
		case *events.NewOrder:
			st.Message = x.Message
		case *events.WorkflowStarted:
			st.Message = x.Message
		case *events.ProcessorWaiting:
			st.Message, st.Number = x.Message, x.OrderNumber
		case *events.ManagerWaiting:
			st.Message, st.Number, st.Drink = x.Message, x.OrderNumber, x.DrinkOrder.Drink
		case *events.MakeOrder:
			st.Message, st.Action = x.Message, x.Action
		case *events.OrderCompleted:
			st.Message = x.Message
		case *events.OrderCancelled:
			st.Message, st.By = x.Message, x.CancelledBy
		case *events.OrderTimeOut:
			st.Message, st.Cause = x.Message, x.Cause
		case *events.OrderFinished:
			st.Message, st.Outcome = x.Message, x.Outcome
		case *events.OrderCollected:
			st.Message, st.By = x.Message, x.By
		}
		steps = append(steps, st)
	}
	view := customerOrder{Order: o}
	if actor.Role != access.Customer {
		view.BaristaID, view.EndedBy = o.BaristaID, o.EndedBy
	}
	return c.JSON(fiber.Map{"order": view, "steps": steps})
}

type broadcastRequest struct {
	Text *string `json:"text"`
}

func (s *Server) postBroadcast(c *fiber.Ctx) error {
	a, err := s.needStaff(c)
	if err != nil {
		return err
	}
	var req broadcastRequest
	if err := decode(c, &req, smallBody); err != nil {
		return err
	}
	if req.Text == nil {
		return apperr.Invalid.With(`Say {"text": "…"}, or {"text": ""} to take the message down.`)
	}
	n, err := s.d.Shop.Broadcast(c.UserContext(), a, *req.Text)
	if err != nil {
		return err
	}
	return c.JSON(n)
}

func (s *Server) getBroadcast(c *fiber.Ctx) error {
	n, err := s.d.Shop.CurrentNotice(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(n)
}
