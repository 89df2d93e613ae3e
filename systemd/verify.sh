#!/usr/bin/env bash
# Checks the systemd files in this folder on a development machine; it needs
# neither a Pi nor systemd running as PID 1, only the systemd package (for
# systemd-analyze, systemd-sysusers and systemd-journald).
#
#   1. systemd-analyze verify on every unit (services, sockets, timers,
#      drop-ins; a template as an instance), inside a scratch root that has
#      the stock system units and a stub for every program the units name;
#   2. systemd-analyze security --offline, failing above a set exposure;
#   3. every key of the journald drop-in is one the installed journald knows;
#   4. the sysusers file parses (systemd-sysusers --dry-run).
#
# Any warning fails the check: systemd-analyze exits 0 on unknown keys and
# bad values, so its output is read, not just its exit code. A negative
# control (a unit with a misspelt key) makes sure warnings are still seen.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

for tool in systemd-analyze systemd-sysusers; do
	if ! command -v "$tool" >/dev/null; then
		echo "verify.sh: $tool is missing; install it with: apt-get install -y systemd" >&2
		exit 2
	fi
done
journald=$(command -v /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald 2>/dev/null | head -n1 || true)
if [ -z "$journald" ]; then
	echo "verify.sh: systemd-journald is missing; install it with: apt-get install -y systemd" >&2
	exit 2
fi

# The highest acceptable `systemd-analyze security` exposure per unit
# (0 is best, 10 worst). Raise one only with a reason in the unit
# (kiosk-data.service mounts a drive for the kiosk, so it cannot have a
# mount namespace of its own).
declare -A max_exposure=([kiosk.service]=2.0 [kiosk-display.service]=4.5 [kiosk-setup.service]=2.0
	[kiosk-ap.service]=3.0 [kiosk-dns.service]=3.5 [kiosk-settime@.service]=2.0
	[kiosk-clock-save.service]=1.0 [kiosk-data.service]=4.0)

failed=0
fail() {
	echo "FAIL: $*" >&2
	failed=1
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# The scratch root: stock units (sysinit.target and friends), our units as
# if installed by the administrator, and a stub for each program.
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd" "$root/run/systemd/system"
cp -r /lib/systemd/system "$root/usr/lib/systemd/"
cp "$here"/*.service "$here"/*.socket "$here"/*.timer "$root/etc/systemd/system/"
cp -r "$here"/*.service.d "$root/etc/systemd/system/"
# Every unit; a template is checked as an instance of it.
units=()
for unit in "$here"/*.service "$here"/*.socket "$here"/*.timer; do
	name=$(basename "$unit")
	units+=("/etc/systemd/system/${name/@./@check.}")
	[ "$name" = "${name/@./@check.}" ] || cp "$unit" "$root/etc/systemd/system/${name/@./@check.}"
done
for prog in $(grep -ohE '(^|[= +!@:-])/(usr/)?s?bin/[A-Za-z0-9._-]+' "$here"/*.service "$here"/*.service.d/*.conf | grep -oE '/(usr/)?s?bin/[A-Za-z0-9._-]+' | sort -u); do
	mkdir -p "$root$(dirname "$prog")"
	printf '#!/bin/sh\nexit 0\n' >"$root$prog"
	chmod 0755 "$root$prog"
done

# analyze runs systemd-analyze verify and prints what it reported.
analyze() {
	systemd-analyze verify --root="$root" --man=no --generators=no "$@" 2>&1 || true
}

# 1. verify
out=$(analyze "${units[@]}")
if [ -n "$out" ]; then
	fail "systemd-analyze verify reported:"
	echo "$out" >&2
else
	echo "ok   systemd-analyze verify: ${units[*]##*/}"
fi

# Negative control: a misspelt key must be reported.
sed 's/^WatchdogSec=/WatchdogSecs=/' "$here/kiosk.service" >"$root/etc/systemd/system/kiosk-broken.service"
if ! analyze /etc/systemd/system/kiosk-broken.service | grep -q "Unknown key"; then
	fail "systemd-analyze verify did not report a misspelt key: this check cannot be trusted"
fi
rm "$root/etc/systemd/system/kiosk-broken.service"

# 2. security exposure, for every service (sockets and timers run nothing)
for unit in "${units[@]}"; do
	name=${unit##*/}
	name=${name/@check./@.}
	case "$name" in *.service) ;; *) continue ;; esac
	limit=${max_exposure[$name]:-}
	if [ -z "$limit" ]; then
		fail "$name has no maximum exposure in verify.sh"
		continue
	fi
	report=$(systemd-analyze security --offline=yes --root="$root" --no-pager "$unit" 2>&1) || true
	score=$(echo "$report" | sed -nE 's/.*Overall exposure level for [^:]+: ([0-9.]+).*/\1/p')
	if [ -z "$score" ]; then
		fail "systemd-analyze security gave no score for $name:"
		echo "$report" >&2
	elif awk -v s="$score" -v m="$limit" 'BEGIN { exit !(s > m) }'; then
		fail "$name exposure $score is above $limit:"
		echo "$report" | grep '✗' >&2
	else
		echo "ok   systemd-analyze security: $name exposure $score (at most $limit)"
	fi
done

# 3. journald drop-in
known=$(grep -aoE 'Journal\.[A-Za-z]+' "$journald" | sort -u | sed 's/^Journal\.//')
for conf in "$here"/journald.conf.d/*.conf; do
	section=""
	n=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case "$line" in
		'' | '#'* | ';'*) continue ;;
		'['*']') section=$line ;;
		*=*)
			key=${line%%=*}
			value=${line#*=}
			if [ "$section" != "[Journal]" ]; then
				fail "${conf##*/}:$n: $key is outside [Journal]"
			elif ! grep -qx "$key" <<<"$known"; then
				fail "${conf##*/}:$n: journald does not know the key $key"
			elif [ "$key" = Storage ] && ! grep -qxE 'volatile|persistent|auto|none' <<<"$value"; then
				fail "${conf##*/}:$n: Storage=$value is not volatile, persistent, auto or none"
			fi
			;;
		*) fail "${conf##*/}:$n: not a setting: $line" ;;
		esac
	done <"$conf"
	if ! grep -qx 'Storage=volatile' "$conf" || ! grep -qE '^RuntimeMaxUse=[0-9]+[KMG]$' "$conf"; then
		fail "${conf##*/}: logs must stay in RAM (Storage=volatile) with a RuntimeMaxUse= cap"
	fi
	echo "ok   journald keys: ${conf##*/}"
done

# 4. sysusers
for conf in "$here"/*.sysusers.conf; do
	sysroot="$root/sysusers"
	mkdir -p "$sysroot/etc"
	cp /etc/passwd /etc/group "$sysroot/etc/"
	if out=$(systemd-sysusers --dry-run --root="$sysroot" "$conf" 2>&1); then
		echo "ok   systemd-sysusers --dry-run: ${conf##*/}"
	else
		fail "systemd-sysusers rejected ${conf##*/}:"
		echo "$out" >&2
	fi
done

if [ "$failed" -ne 0 ]; then
	echo "verify.sh: FAILED" >&2
	exit 1
fi
echo "verify.sh: all checks passed"
