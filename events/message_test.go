package events

import (
	"encoding/json"
	"reflect"
	"testing"
)

// fill sets every string of d to s, every number to n, every list to two
// items and every raw JSON field to an object holding s.
func fill(v reflect.Value, s string, n int64) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), s, n)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s, n)
			}
		}
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		v.SetInt(n)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			raw, _ := json.Marshal(map[string]any{"a": s, "b": []any{s, n, nil, map[string]string{"c}": s}}})
			v.SetBytes(raw)
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), s, n)
		}
	}
}

// The short way gives exactly the bytes the long way gives, for every
// detail of the catalogue, empty or full of awkward text.
func TestCatalogueMessageIsTheDefaultMessage(t *testing.T) {
	texts := []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "braces {}[] , : in text",
		"line\nbreak\ttab", "unicode é ☕ \u2028 \x01", `{"message":"not a field"}`, "message"}
	for _, e := range Catalogue() {
		for _, s := range texts {
			for _, withMessage := range []bool{false, true} {
				d := e.new()
				fill(reflect.ValueOf(d), s, 42)
				if !withMessage {
					if f := reflect.ValueOf(d).Elem().FieldByName("Message"); f.IsValid() {
						f.SetString("")
					}
				}
				raw, err := json.Marshal(d)
				if err != nil {
					t.Fatal(err)
				}
				want := withDefaultMessage(raw, e.Message)
				if got := withCatalogueMessage(raw, e.Message); string(got) != string(want) {
					t.Errorf("%s with %q:\n got  %s\n want %s", e.DetailType, s, got, want)
				}
			}
		}
		// An empty detail, and one without a message field at all.
		for _, raw := range []string{`{}`, `{"orderId":"o1"}`, `{"z":1,"a":[{"b":"}"}]}`} {
			want := withDefaultMessage([]byte(raw), e.Message)
			if got := withCatalogueMessage([]byte(raw), e.Message); string(got) != string(want) {
				t.Errorf("%s: got %s, want %s", raw, got, want)
			}
		}
	}
}

func TestSplitObjectRefusesWhatMarshalDoesNotWrite(t *testing.T) {
	for _, raw := range []string{``, `[]`, `null`, `{ "a":1}`, `{"a" :1}`, `{"a":1,}`, `{"a":{]}`, `{"\u0061":1}`, `{"a":"x}`, `{a:1}`} {
		if _, ok := splitObject([]byte(raw)); ok {
			t.Errorf("split %s", raw)
		}
	}
}

func FuzzCatalogueMessage(f *testing.F) {
	f.Add("plain", int64(1))
	f.Add(`"}{,:\`, int64(-5))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		for _, e := range Catalogue() {
			d := e.new()
			fill(reflect.ValueOf(d), s, n)
			raw, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := withCatalogueMessage(raw, e.Message), withDefaultMessage(raw, e.Message); string(got) != string(want) {
				t.Fatalf("%s: got %s, want %s", e.DetailType, got, want)
			}
		}
	})
}
