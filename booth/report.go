package booth

import (
	"encoding/json"
	"fmt"
	"os"
)

// Problem is one thing the person who set up the booth should fix in
// booth.toml.
type Problem struct {
	// Line is the line in booth.toml, or 0.
	Line int `json:"line,omitempty"`
	// Key is the setting, such as "wifi.password", or empty.
	Key string `json:"key,omitempty"`
	// Message says what is wrong and what the box does instead.
	Message string `json:"message"`
}

// Report is what the box's setup made of booth.toml at boot, as it writes
// it for the kiosk (kiosk-setup's status file, which has more fields):
// the file it read and every problem it found. It holds no secrets.
type Report struct {
	// File is the booth.toml that was read (or looked for).
	File string `json:"file"`
	// Problems are in booth.toml's line order; empty when all is well.
	Problems []Problem `json:"problems"`
}

// ReadReport reads the status file the box's setup wrote. A missing file
// is an error: the kiosk was told to expect one.
func ReadReport(path string) (Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Report{}, fmt.Errorf("the booth setup's status: %w", err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return Report{}, fmt.Errorf("the booth setup's status %s: %w", path, err)
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	return r, nil
}
