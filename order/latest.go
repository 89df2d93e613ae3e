package order

import "sync"

// latestKeep is how many customers' newest orders are kept in memory: far
// more than a booth has on the go at once (20 in flight by default).
const latestKeep = 256

// latestOrders keeps each customer's newest order as the last committed
// write left it, so that the phone's copy, published after every event of
// the order, needs no read. It is filled by writes only, in commit order
// (events.Tx.OnCommit): a read from the pool could be older than a commit
// made meanwhile and would stay wrong. An order enters when it is opened,
// which makes it its customer's newest (orders are newest first by their
// running time of creation, and the single writer opens them one after
// another); a write to an order of theirs that is not the one kept (an
// older one, collected later) changes nothing. A customer not kept, after
// a restart or once pushed out by later customers, is read from the
// database.
type latestOrders struct {
	mu         sync.Mutex
	byCustomer map[string]Order
	order      []latestKey // the kept orders, oldest entry first, as a ring
	next       int         // where the ring writes next
}

type latestKey struct{ customerID, orderID string }

func newLatestOrders(keep int) latestOrders {
	return latestOrders{byCustomer: make(map[string]Order, keep), order: make([]latestKey, keep)}
}

// written records an order as a committed write left it; isNew says the
// write opened it.
func (l *latestOrders) written(o Order, isNew bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !isNew {
		if kept, ok := l.byCustomer[o.CustomerID]; ok && kept.ID == o.ID {
			l.byCustomer[o.CustomerID] = o
		}
		return
	}
	if old := l.order[l.next]; old.customerID != "" {
		if kept, ok := l.byCustomer[old.customerID]; ok && kept.ID == old.orderID {
			delete(l.byCustomer, old.customerID)
		}
	}
	l.order[l.next] = latestKey{o.CustomerID, o.ID}
	l.next = (l.next + 1) % len(l.order)
	l.byCustomer[o.CustomerID] = o
}

// get returns the customer's newest order as last written, if it is kept.
// Its time left and ages are those of the write: the caller sets them anew.
func (l *latestOrders) get(customerID string) (Order, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o, ok := l.byCustomer[customerID]
	return o, ok
}
