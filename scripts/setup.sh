#!/usr/bin/env bash
# npm run setup: makes a fresh Debian machine ready for the demo and the tests. Idempotent and
# quick when nothing changed. Steps: Debian packages, npm packages, build, dockerd, swarm, images.
#   --no-docker   stop after the build (enough for unit and integration tests)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

WITH_DOCKER=1
for arg in "$@"; do
  case "$arg" in
    --no-docker) WITH_DOCKER=0 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

PACKAGES=(haproxy socat stress-ng wrk prometheus curl ca-certificates iproute2 iptables openssl util-linux)
if [ "$WITH_DOCKER" = 1 ]; then PACKAGES+=(docker.io debootstrap); fi
ensure_debian_packages "${PACKAGES[@]}"
ensure_npm_packages
step "building TypeScript"
npm run --silent build

if [ "$WITH_DOCKER" = 1 ]; then
  ensure_dockerd
  ensure_swarm
  # The network the operator (when run as a service) and every HAProxy share; the stack files use it.
  docker network inspect bso-control >/dev/null 2>&1 || docker network create --driver overlay --attachable \
    --label app.kubernetes.io/managed-by=bso --label bso.dev/component=control bso-control >/dev/null
  if [ -x scripts/build-images.sh ]; then bash scripts/build-images.sh; fi
fi
step "setup done"
