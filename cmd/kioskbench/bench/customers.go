package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Customer is a phone that has ordered once (and cancelled, so it may
// order again) and holds its own realtime credentials.
type Customer struct {
	B     *Browser
	Creds Credentials
	busy  atomic.Bool
}

// NewCustomers makes n customers through the API, parallel at a time:
// each loads the page, scans (which gives it its customer cookie), cancels
// the order it opened, and asks GET /api/realtime for its credentials.
func NewCustomers(ctx context.Context, k *Kiosk, qr *QRSource, n, parallel int) ([]*Customer, error) {
	out, err := makeAll(ctx, n, parallel, "customer", func(ctx context.Context, _ int) (*Customer, error) {
		return newCustomer(ctx, k, qr)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// makeAll makes n things with mk, parallel at a time. The first error
// stops the rest; it is returned with what was made until then (nil where
// nothing was).
func makeAll[T any](ctx context.Context, n, parallel int, what string, mk func(ctx context.Context, i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || mctx.Err() != nil {
					return
				}
				v, err := mk(mctx, i)
				if err != nil {
					once.Do(func() { first = fmt.Errorf("%s %d: %w", what, i, err); cancel() })
					return
				}
				out[i] = v
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return out, first
}

func newCustomer(ctx context.Context, k *Kiosk, qr *QRSource) (*Customer, error) {
	b := NewBrowser(k.Base)
	if err := b.Do(ctx, http.MethodGet, "/api/shop", nil, nil); err != nil {
		return nil, err
	}
	o, err := Scan(ctx, b, qr, "Bench")
	if err != nil {
		return nil, err
	}
	if err := b.Do(ctx, http.MethodPost, "/api/orders/"+o.ID+"/cancel", nil, nil); err != nil {
		return nil, fmt.Errorf("cancel: %w", err)
	}
	c := &Customer{B: b}
	if err := b.Do(ctx, http.MethodGet, "/api/realtime", nil, &c.Creds); err != nil {
		return nil, fmt.Errorf("realtime credentials: %w", err)
	}
	if c.Creds.CustomerTopic == "" || c.Creds.Username == "" {
		return nil, fmt.Errorf("realtime credentials without a customer topic: %+v", c.Creds)
	}
	return c, nil
}

// clientSeq makes client ids unique within the run.
var clientSeq atomic.Int64

// ClientID returns a fresh client id with a prefix.
func ClientID(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, clientSeq.Add(1))
}

// ConnectAll dials n clients, parallel at a time, each with opts(i), and
// subscribes each to topics(i). It returns the clients in order; on error
// it closes those it opened.
func ConnectAll(ctx context.Context, n, parallel int, opts func(i int) DialOptions, topics func(i int) []string, stopReading bool) ([]*Client, error) {
	out, err := makeAll(ctx, n, parallel, "client", func(ctx context.Context, i int) (*Client, error) {
		c, err := Dial(ctx, opts(i))
		if err != nil {
			return nil, err
		}
		codes, err := c.Subscribe(ctx, topics(i), stopReading)
		for _, code := range codes {
			if code == 0x80 && err == nil {
				err = fmt.Errorf("subscription refused (SUBACK 0x80) for %v", topics(i))
			}
		}
		if err != nil {
			c.Abort()
			return nil, err
		}
		return c, nil
	})
	if err != nil {
		CloseAll(out)
		return nil, err
	}
	return out, nil
}

// CloseAll disconnects every client in cs.
func CloseAll(cs []*Client) {
	for _, c := range cs {
		if c != nil {
			c.Close()
		}
	}
}
