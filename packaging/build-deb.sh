#!/usr/bin/env bash
# Builds the kiosk's .deb with dpkg-deb, from binaries built beforehand.
#
#   packaging/build-deb.sh VERSION ARCH KIOSK_BINARY OUTDIR [KIOSK_SETUP_BINARY]
#
#   VERSION  the version, such as 1.2.0 or a git describe; made into a Debian
#            version (0~<version> when it does not start with a digit)
#   ARCH     the Debian architecture: arm64, armhf or amd64
#   KIOSK_BINARY        the kiosk program for ARCH
#   OUTDIR   where kiosk_<version>_<arch>.deb is written
#   KIOSK_SETUP_BINARY  the kiosk-setup program for ARCH; by default the
#            file beside KIOSK_BINARY named like it with "kiosk-setup" for
#            "kiosk" (bin/kiosk-arm64 -> bin/kiosk-setup-arm64)
#
# Needs only dpkg-deb; runs as any user (--root-owner-group makes every file
# root's). The same inputs give the same .deb: file times are set from
# SOURCE_DATE_EPOCH (default: the last commit's time) and dpkg-deb honours it.
set -euo pipefail

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
version=$1 arch=$2 kiosk=$3 outdir=$4
setup=${5:-$(dirname "$kiosk")/$(basename "$kiosk" | sed 's/^kiosk/kiosk-setup/')}

case "$arch" in
amd64 | arm64 | armhf | armel) ;;
*)
	echo "build-deb.sh: unknown architecture $arch (amd64, arm64, armhf or armel)" >&2
	exit 2
	;;
esac
for f in "$kiosk" "$setup"; do
	if [ ! -f "$f" ]; then
		echo "build-deb.sh: $f is missing" >&2
		exit 2
	fi
done

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

# A Debian version: digits first, and only the characters Debian allows.
debversion=${version#v}
case "$debversion" in
[0-9]*) ;;
*) debversion="0~$debversion" ;;
esac
debversion=$(printf '%s' "$debversion" | tr -c 'A-Za-z0-9.+~\n' '.')

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

# put SRC DEST MODE: copies one file into the package.
put() {
	install -D -m "$3" "$1" "$root$2"
}

put "$kiosk" /usr/bin/kiosk 0755
put "$setup" /usr/bin/kiosk-setup 0755
for unit in "$repo"/systemd/*.service "$repo"/systemd/*.socket "$repo"/systemd/*.timer; do
	put "$unit" "/lib/systemd/system/$(basename "$unit")" 0644
done
for dropin in "$repo"/systemd/*.service.d/*.conf; do
	put "$dropin" "/lib/systemd/system/$(basename "$(dirname "$dropin")")/$(basename "$dropin")" 0644
done
put "$repo/systemd/journald.conf.d/10-kiosk.conf" /etc/systemd/journald.conf.d/10-kiosk.conf 0644
put "$repo/systemd/kiosk.sysusers.conf" /usr/lib/sysusers.d/kiosk.conf 0644
put "$repo/systemd/kiosk-display.sysusers.conf" /usr/lib/sysusers.d/kiosk-display.conf 0644
put "$here/deb/60-kiosk-gpio.rules" /lib/udev/rules.d/60-kiosk-gpio.rules 0644
put "$here/deb/kiosk.default" /etc/default/kiosk 0600
put "$repo/booth/booth.example.toml" /usr/share/doc/kiosk/booth.example.toml 0644
put "$repo/docs/install.md" /usr/share/doc/kiosk/install.md 0644
install -d -m 0755 "$root/etc/kiosk/network"

install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
	install -m 0755 "$here/deb/$script" "$root/DEBIAN/$script"
done
# Files under /etc are the admin's to edit: dpkg keeps their changes.
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$debversion/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	"$here/deb/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
	xargs -r md5sum) >"$root/DEBIAN/md5sums"

# Fixed times and no group or other write bits, for a reproducible package.
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
chmod -R go-w "$root"

mkdir -p "$outdir"
out="$outdir/kiosk_${debversion}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
