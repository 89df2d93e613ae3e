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
	out := make([]*Customer, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := newCustomer(ctx, k, qr)
				if err != nil {
					once.Do(func() { first = fmt.Errorf("customer %d: %w", i, err); cancel() })
					return
				}
				out[i] = c
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, ctx.Err()
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
	out := make([]*Client, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || cctx.Err() != nil {
					return
				}
				c, err := Dial(cctx, opts(i))
				if err == nil {
					var codes []byte
					codes, err = c.Subscribe(cctx, topics(i), stopReading)
					for _, code := range codes {
						if code == 0x80 && err == nil {
							err = fmt.Errorf("subscription refused (SUBACK 0x80) for %v", topics(i))
						}
					}
					if err != nil {
						c.Abort()
					}
				}
				if err != nil {
					once.Do(func() { first = fmt.Errorf("client %d: %w", i, err); cancel() })
					return
				}
				out[i] = c
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	if first != nil {
		CloseAll(out)
		return nil, first
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
