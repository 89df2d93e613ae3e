#!/usr/bin/env bash
# Builds the booth's SD-card image for a Raspberry Pi 3, 4 or Zero 2 W from
# Debian 12 (bookworm, arm64) with mmdebstrap, and the kiosk's .deb.
#
#   packaging/image/build-image.sh KIOSK_DEB OUTDIR [STAGE]
#
#   KIOSK_DEB  the arm64 package from packaging/build-deb.sh
#   OUTDIR     where the results go (the disk images are large)
#   STAGE      how far to go: "rootfs" (OUTDIR/rootfs.tar only) or "image"
#              (the default: also OUTDIR/kiosk-arm64.img, ready for dd or
#              Raspberry Pi Imager's "use custom")
#
# Runs as root on Debian 12 (amd64 is fine) with:
#   apt-get install mmdebstrap qemu-user-static binfmt-support dosfstools mtools e2fsprogs fdisk
# and arm64 programs running through binfmt_misc (see platform-notes §7).
# Needs deb.debian.org (main and non-free-firmware), or a mirror given in
# $MIRROR (for example an apt-cacher-ng filled while online).
#
# Optional: ROOT_PASSWORD=... sets a root password for the console (there
# is none by default, so nobody can log in); SIZE_ROOT_MB, SIZE_DATA_MB.
#
# The image: partition 1 FAT32 "RASPIFIRM" (firmware, kernel, booth.toml),
# partition 2 ext4 "RASPIROOT" (the system, mounted read-only under a RAM
# overlay by overlayroot), partition 3 ext4 "KIOSKDATA" (the kiosk's
# database and the saved clock: the only things written while it runs).
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
deb=$(realpath "$1")
out=$(realpath -m "$2")
stage=${3:-image}
mirror=${MIRROR:-http://deb.debian.org/debian}
size_root=${SIZE_ROOT_MB:-2560}
size_data=${SIZE_DATA_MB:-512}
size_boot=256
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

# The packages of the box. busybox gives the initramfs its shell tools
# (overlayroot's script needs grep there; minbase has none). Debian's own
# kernel and Raspberry Pi firmware
# (non-free-firmware), the Wi-Fi chip's firmware and the radio rules, the
# read-only root, then what the kiosk's package depends on and recommends.
packages=(
	systemd-sysv udev kmod initramfs-tools busybox
	linux-image-arm64 raspi-firmware firmware-brcm80211 wireless-regdb iw
	overlayroot
	hostapd dnsmasq-base fake-hwclock rfkill
	cage chromium fonts-dejavu-core
	ca-certificates less nano
)
include=$(
	IFS=,
	echo "${packages[*]}"
)

echo "== rootfs: mmdebstrap bookworm arm64 ($mirror)"
# Hooks run on the build machine with the new root as $1. The box's own
# settings files (files/, and the raspi-firmware settings) go in before the
# packages that read them are installed, so the kernel's initramfs and the
# Pi's boot files are made once, with them: mkinitramfs is very slow under
# qemu. Some of them are the packages' conffiles; force-confold keeps ours
# instead of stopping at dpkg's question (which fails without a terminal).
mmdebstrap --architectures=arm64 --variant=minbase \
	--components=main,non-free-firmware \
	--include="$include" \
	--dpkgopt=force-confdef --dpkgopt=force-confold \
	--setup-hook='mkdir -p "$1/boot/firmware"' \
	--essential-hook="sync-in $here/files /" \
	--essential-hook='mkdir -p "$1/etc/default"; printf "ROOTPART=LABEL=RASPIROOT\nCONSOLES=\"tty0\"\n" >"$1/etc/default/raspi-firmware"' \
	--essential-hook='printf "net.ifnames=0 consoleblank=0 quiet\n" >"$1/etc/default/raspi-extra-cmdline"' \
	--customize-hook="copy-in $deb /tmp" \
	--customize-hook='chroot "$1" sh -c "dpkg -i /tmp/*.deb && rm /tmp/*.deb"' \
	--customize-hook='chroot "$1" sh -c "echo coffee >/etc/hostname; printf \"127.0.0.1\tlocalhost\n127.0.1.1\tcoffee\n\" >/etc/hosts"' \
	--customize-hook='chroot "$1" sh -c "mkdir -p /data /var/lib/kiosk-clock /var/lib/private && chmod 0700 /var/lib/private"' \
	--customize-hook='chroot "$1" systemctl enable systemd-networkd.service fake-hwclock.service' \
	--customize-hook='rm -f "$1/etc/dpkg/dpkg.cfg.d/99mmdebstrap"' \
	--customize-hook='if [ -n "${ROOT_PASSWORD:-}" ]; then echo "root:$ROOT_PASSWORD" | chroot "$1" chpasswd; fi' \
	--customize-hook='test -f "$1/boot/firmware/config.txt" && test -f "$1/boot/firmware/cmdline.txt" && ls "$1"/boot/firmware/initrd.img*' \
	--customize-hook='cp /usr/share/doc/kiosk/booth.example.toml "$1/boot/firmware/booth.example.toml" 2>/dev/null || cp "$1/usr/share/doc/kiosk/booth.example.toml" "$1/boot/firmware/booth.example.toml"' \
	bookworm "$out/rootfs.tar" "$mirror"
ls -l "$out/rootfs.tar"
if [ "$stage" = rootfs ]; then
	exit 0
fi

echo "== image: partitions from the rootfs"
work=$(mktemp -d -p "$out")
trap 'rm -rf "$work"' EXIT
mkdir "$work/root" "$work/data"
tar -C "$work/root" -xpf "$out/rootfs.tar"
# The boot partition's files go to the FAT partition, not into the root.
mkdir "$work/boot"
mv "$work/root/boot/firmware/." "$work/boot/" 2>/dev/null || cp -a "$work/root/boot/firmware/." "$work/boot/"
find "$work/root/boot/firmware" -mindepth 1 -delete
# The data partition starts with the directories the binds need.
install -d -m 0700 "$work/data/private"
install -d -m 0755 "$work/data/clock"

mkfs.vfat -n RASPIFIRM -F 32 -C "$work/boot.img" $((size_boot * 1024)) >/dev/null
mcopy -s -i "$work/boot.img" "$work/boot/"* ::
mke2fs -q -t ext4 -L RASPIROOT -d "$work/root" "$work/root.img" "${size_root}M"
mke2fs -q -t ext4 -L KIOSKDATA -d "$work/data" "$work/data.img" "${size_data}M"

img="$out/kiosk-arm64.img"
total=$((1 + size_boot + size_root + size_data + 1))
truncate -s 0 "$img"
truncate -s "${total}M" "$img"
sfdisk --quiet "$img" <<PARTS
label: dos
start=1MiB, size=${size_boot}MiB, type=c, bootable
size=${size_root}MiB, type=83
size=${size_data}MiB, type=83
PARTS
dd if="$work/boot.img" of="$img" bs=1M seek=1 conv=notrunc status=none
dd if="$work/root.img" of="$img" bs=1M seek=$((1 + size_boot)) conv=notrunc status=none
dd if="$work/data.img" of="$img" bs=1M seek=$((1 + size_boot + size_root)) conv=notrunc status=none
sfdisk --list "$img"
echo "== done: $img"
