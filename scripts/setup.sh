#!/usr/bin/env bash
# Installs what diskless and its lab need on a Debian 12 machine (run as root):
# the Debian packages the lab's masters and slaves use, the npm packages, and the
# agent bundle. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  openssh-server openssh-client isc-dhcp-server tftpd-hpa tftp-hpa pxelinux syslinux-common
  rsync nfs-ganesha nfs-ganesha-vfs libnfs-utils busybox udhcpc iproute2 tini rpcbind
  procps psmisc kmod time ansible-core
  qemu-system-x86 ipxe-qemu linux-image-amd64 initramfs-tools
  grub-efi-amd64-bin ovmf ipxe lighttpd sudo
)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  # The daemons run only inside the lab's masters, never on this machine: keep
  # package scripts from starting them here.
  policy=/usr/sbin/policy-rc.d
  own_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own_policy=yes
  fi
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$own_policy" = yes ] && rm -f "$policy"
fi

echo "setup: installing npm packages"
npm ci --no-audit --no-fund --loglevel=error
echo "setup: building the agent bundle"
npm run build --silent
echo "setup: done"
