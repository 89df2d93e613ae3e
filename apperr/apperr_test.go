package apperr

import (
	"errors"
	"testing"
)

func TestCatalogueCodesAreUniqueAndSaySomething(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range All() {
		if seen[e.Code] {
			t.Errorf("code %s is used twice", e.Code)
		}
		seen[e.Code] = true
		if e.Message == "" || e.Kind == 0 {
			t.Errorf("%s has no message or kind", e.Code)
		}
	}
	if len(seen) < 40 {
		t.Fatalf("only %d errors in the catalogue", len(seen))
	}
	if c := QueueFull.With("Full, %d waiting.", 20); !errors.Is(c, QueueFull) || errors.Is(c, ShopClosed) || c.Message != "Full, 20 waiting." {
		t.Fatalf("With: %+v", c)
	}
}
