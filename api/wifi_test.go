package api

import "testing"

func TestWifiJoinEscapes(t *testing.T) {
	for _, c := range []struct{ ssid, pw, want string }{
		{"CoffeeBar", "", "WIFI:T:nopass;S:CoffeeBar;;"},
		{"CoffeeBar", "latte-art-42", "WIFI:T:WPA;S:CoffeeBar;P:latte-art-42;;"},
		{`Bar;P:x`, `a;b,c:d"e\f`, `WIFI:T:WPA;S:Bar\;P\:x;P:a\;b\,c\:d\"e\\f;;`},
	} {
		if got := WifiJoin(c.ssid, c.pw); got != c.want {
			t.Errorf("WifiJoin(%q, %q) = %q, want %q", c.ssid, c.pw, got, c.want)
		}
	}
}
