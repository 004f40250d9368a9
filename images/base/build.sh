#!/usr/bin/env bash
# Builds the offline base image bso-base:bookworm without any container registry:
#   debootstrap (minbase, Debian bookworm + security updates) + haproxy, stress-ng, tini, procps,
#   ca-certificates + the host's Node.js 20 binary, imported with `docker import`.
# Skipped when the image exists and carries the same recipe label; --force rebuilds.
# Needs root (debootstrap), a running dockerd, Debian's mirror and Node.js 20 on the host.
#   images/base/build.sh [--force] [IMAGE]        (IMAGE defaults to bso-base:bookworm)
# Environment: BSO_DEBIAN_MIRROR (default http://deb.debian.org/debian),
#              BSO_NODE_BINARY (default: the `node` on PATH; must be Node.js 20.x).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh

FORCE=0
IMAGE=bso-base:bookworm
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "build-base: unknown option $arg" >&2; exit 2 ;;
    *) IMAGE=$arg ;;
  esac
done

SUITE=bookworm
MIRROR=${BSO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${BSO_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
PACKAGES=(ca-certificates haproxy procps stress-ng tini)
# Bump when the recipe changes in a way the label below does not capture.
RECIPE_VERSION=1

NODE_BINARY=$(readlink -f "${BSO_NODE_BINARY:-$(command -v node || true)}")
if [ ! -x "$NODE_BINARY" ]; then
  echo "build-base: no Node.js binary found (set BSO_NODE_BINARY)" >&2
  exit 1
fi
NODE_VERSION=$("$NODE_BINARY" --version)
case "$NODE_VERSION" in
  v20.*) ;;
  *) echo "build-base: $NODE_BINARY is Node.js $NODE_VERSION; the images need Node.js 20." >&2
     echo "  Set BSO_NODE_BINARY to a Node.js 20 binary, or build on an official image:" >&2
     echo "  BSO_BASE_IMAGE=node:20-bookworm-slim npm run setup" >&2
     exit 1 ;;
esac

RECIPE="v$RECIPE_VERSION $SUITE $(uname -m) ${PACKAGES[*]} node-$NODE_VERSION"
current=$(docker image inspect -f '{{index .Config.Labels "org.bso.base-recipe"}}' "$IMAGE" 2>/dev/null || true)
if [ "$FORCE" = 0 ] && [ "$current" = "$RECIPE" ]; then
  echo "base image $IMAGE is up to date" >&2
  exit 0
fi

if [ "$(id -u)" != 0 ]; then exec sudo --preserve-env=BSO_DEBIAN_MIRROR,BSO_DEBIAN_SECURITY_MIRROR,BSO_NODE_BINARY "$0" "$@"; fi
command -v debootstrap >/dev/null || ensure_debian_packages debootstrap

ROOTFS=$(mktemp -d "${TMPDIR:-/var/tmp}/bso-base.XXXXXX")
cleanup() {
  # a chroot mount left behind by a failed step must not survive (or be deleted through)
  umount "$ROOTFS/proc" 2>/dev/null || true
  rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT

started=$(date +%s)
step "building $IMAGE: debootstrap $SUITE (minbase) into $ROOTFS"
include=$(IFS=,; echo "${PACKAGES[*]}")
LOG=$ROOTFS.log
# Runs a noisy step with its output in $LOG, shown only when it fails.
run_logged() {
  "$@" >>"$LOG" 2>&1 && return 0
  tail -30 "$LOG" >&2
  echo "build-base: step failed: $*; full log: $LOG" >&2
  exit 1
}
run_logged debootstrap --variant=minbase --include="$include" "$SUITE" "$ROOTFS" "$MIRROR"

step "applying $SUITE security and point-release updates"
cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
mount -t proc proc "$ROOTFS/proc"
run_logged chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive sh -c \
  'apt-get -o APT::Sandbox::User=root update && apt-get -o APT::Sandbox::User=root -y -o Dpkg::Options::=--force-confold upgrade && apt-get clean'
umount "$ROOTFS/proc"
rm -f "$LOG"

step "adding Node.js $NODE_VERSION from $NODE_BINARY"
install -m 0755 "$NODE_BINARY" "$ROOTFS/usr/local/bin/node"
chroot "$ROOTFS" /usr/local/bin/node --version >/dev/null

# Files a container gets from the engine, and caches nobody needs in an image.
# Copyright files stay.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/* "$ROOTFS"/var/log/*.log \
  "$ROOTFS"/var/log/apt/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
  "$ROOTFS"/tmp/* "$ROOTFS"/etc/hostname "$ROOTFS"/etc/machine-id
find "$ROOTFS/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
: >"$ROOTFS/etc/resolv.conf"
: >"$ROOTFS/etc/machine-id"

step "importing the root file system as $IMAGE"
previous=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar -C "$ROOTFS" --numeric-owner -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change "LABEL org.bso.base-recipe=\"$RECIPE\"" \
  --change 'LABEL org.bso.managed=true' \
  --change 'LABEL org.opencontainers.image.title=bso-base' \
  --change "LABEL org.opencontainers.image.description=\"Debian $SUITE minbase with HAProxy, stress-ng, tini and Node.js $NODE_VERSION, built offline by bso\"" \
  --change 'CMD ["bash"]' \
  --message "bso base image: $RECIPE" \
  - "$IMAGE" >/dev/null
# the replaced base goes once no image or container uses it any more
if [ -n "$previous" ]; then docker image rm "$previous" >/dev/null 2>&1 || true; fi
step "built $IMAGE in $(( $(date +%s) - started )) s ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
