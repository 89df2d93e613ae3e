#!/usr/bin/env bash
# Shows a kiosk .deb (dpkg-deb -I and -c) and fails if anything the booth
# needs is missing or wrong: a file, a dependency, a maintainer script, the
# conffiles, the programs' architecture, or the scripts' syntax.
#
#   packaging/inspect-deb.sh FILE.deb
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: packaging/inspect-deb.sh FILE.deb" >&2
	exit 2
fi
deb=$1
failed=0
fail() {
	echo "FAIL: $*" >&2
	failed=1
}

echo "== dpkg-deb -I $deb"
dpkg-deb -I "$deb"
echo "== dpkg-deb -c $deb"
contents=$(dpkg-deb -c "$deb")
echo "$contents"
echo "== checks"

field() { dpkg-deb -f "$deb" "$1"; }

[ "$(field Package)" = kiosk ] || fail "Package is $(field Package), not kiosk"
arch=$(field Architecture)
case "$arch" in amd64 | arm64 | armhf | armel) ;; *) fail "Architecture $arch" ;; esac
version=$(field Version)
if ! dpkg --validate-version "$version" 2>/dev/null; then
	fail "Version $version is not a valid Debian version"
fi

# Each name must be in the field as a whole word (a package, maybe with a
# version or alternatives).
has_dep() {
	tr ',|' '\n\n' <<<"$(field "$1")" | sed -E 's/^ *//; s/ .*//' | grep -qx "$2"
}
for dep in hostapd dnsmasq-base fake-hwclock rfkill systemd; do
	has_dep Depends "$dep" || fail "Depends lacks $dep"
done
for dep in cage chromium; do
	has_dep Recommends "$dep" || fail "Recommends lacks $dep"
	has_dep Depends "$dep" && fail "$dep is in Depends: a box without a screen could not install"
done

files=$(awk '{print $6}' <<<"$contents" | sed 's|^\./|/|')
owners=$(awk '{print $2}' <<<"$contents" | sort -u)
[ "$owners" = "root/root" ] || fail "files are not all owned by root/root: $owners"
expect_file() { # PATH MODE
	local line
	line=$(awk -v p="./${1#/}" '$6 == p' <<<"$contents")
	if [ -z "$line" ]; then
		fail "missing $1"
	elif [ -n "${2:-}" ] && [ "${line%% *}" != "$2" ]; then
		fail "$1 has mode ${line%% *}, want $2"
	fi
}
expect_file /usr/bin/kiosk -rwxr-xr-x
expect_file /usr/bin/kiosk-setup -rwxr-xr-x
for unit in kiosk.service kiosk-display.service kiosk-setup.service kiosk-data.service kiosk-ap.service kiosk-dns.service \
	kiosk-settime.socket kiosk-settime@.service kiosk-clock-save.service kiosk-clock-save.timer \
	kiosk.service.d/10-booth.conf kiosk-display.service.d/10-headless.conf; do
	expect_file "/lib/systemd/system/$unit" -rw-r--r--
done
expect_file /etc/systemd/journald.conf.d/10-kiosk.conf -rw-r--r--
expect_file /usr/lib/sysusers.d/kiosk.conf
expect_file /usr/lib/sysusers.d/kiosk-display.conf
expect_file /lib/udev/rules.d/60-kiosk-gpio.rules
expect_file /etc/default/kiosk -rw-------
expect_file /usr/share/doc/kiosk/booth.example.toml
expect_file /usr/share/doc/kiosk/install.md
expect_file /etc/kiosk/network/ drwxr-xr-x
if grep -q '^/\(home\|root\|tmp\|work\)' <<<"$files"; then
	fail "files outside the system's directories: $(grep '^/\(home\|root\|tmp\|work\)' <<<"$files")"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -e "$deb" "$work/DEBIAN"
dpkg-deb -x "$deb" "$work/root"

conffiles=$(cat "$work/DEBIAN/conffiles" 2>/dev/null || true)
for conf in /etc/default/kiosk /etc/systemd/journald.conf.d/10-kiosk.conf; do
	grep -qx "$conf" <<<"$conffiles" || fail "$conf is not a conffile"
done
for script in postinst prerm postrm; do
	path="$work/DEBIAN/$script"
	if [ ! -x "$path" ]; then
		fail "maintainer script $script is missing or not executable"
		continue
	fi
	head -n1 "$path" | grep -qx '#!/bin/sh' || fail "$script does not start with #!/bin/sh"
	grep -qx 'set -e' "$path" || fail "$script has no set -e"
	sh -n "$path" || fail "$script has a syntax error"
	if command -v shellcheck >/dev/null; then
		shellcheck -s sh "$path" || fail "shellcheck found problems in $script"
	fi
done
grep -q 'systemctl daemon-reload' "$work/DEBIAN/postinst" || fail "postinst does not reload systemd"
grep -q '\[ -d /run/systemd/system \]' "$work/DEBIAN/postinst" || fail "postinst does not check that systemd runs"

# The programs are for the package's architecture: the ELF machine field.
declare -A machine=([amd64]=3e00 [arm64]=b700 [armhf]=2800 [armel]=2800)
for prog in kiosk kiosk-setup; do
	got=$(od -An -tx1 -j18 -N2 "$work/root/usr/bin/$prog" | tr -d ' \n')
	[ "$got" = "${machine[$arch]:-}" ] || fail "/usr/bin/$prog is for ELF machine $got, not $arch"
done

if [ "$failed" -ne 0 ]; then
	echo "inspect-deb.sh: $deb FAILED" >&2
	exit 1
fi
echo "inspect-deb.sh: $deb is complete ($arch, version $version)"
