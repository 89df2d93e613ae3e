package events

import (
	"bytes"
	"testing"
)

// FuzzReadEnvelopes feeds arbitrary files to the injection reader and
// checker: they must never panic, and whatever passes must be a catalogued
// event that decodes strictly again.
func FuzzReadEnvelopes(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Add([]byte(`{"id":"a","source":"config-service","detail-type":"ConfigService.BoothDayStarted","version":1,"time":"2026-01-01T00:00:00Z","detail":{"boothDay":1,"actorId":"x","message":""}}`))
	f.Add([]byte(`[{"detail-type":"OrderManager.MakeOrder","version":1,"detail":{"action":"make"}}]`))
	f.Add([]byte("\xef\xbb\xbf[]"))
	f.Add([]byte(`[1, "two", null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		envs, err := readEnvelopes(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, env := range envs {
			e, err := checkEnvelope(env)
			if err != nil {
				continue
			}
			if _, ok := Lookup(e.DetailType, e.Version); !ok {
				t.Fatalf("accepted an uncatalogued event %s", e.DetailType)
			}
			if _, err := Decode(e.DetailType, e.Version, e.Detail); err != nil {
				t.Fatalf("accepted detail does not decode again: %v", err)
			}
		}
	})
}
