package daemon

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestSelfCheckPasses(t *testing.T) {
	var out bytes.Buffer
	if err := SelfCheck(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "selfcheck passed") {
		t.Fatalf("output:\n%s", out.String())
	}
}
