#!/usr/bin/env bash
# npm run bench [-- --quick | --only 1,2 | --runs N | --help]: makes the machine ready
# (scripts/setup.sh: Debian packages, npm packages, build, dockerd, Swarm, images; idempotent), then
# runs the benchmark (bench/run-bench.ts). setup.sh touches Docker, so it runs under the shared
# Docker lock unless the caller holds it already (BSO_DOCKER_LOCK_HELD=1).
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  case "$arg" in -h|--help) exec node --import tsx bench/run-bench.ts --help ;; esac
done
if [ "${BSO_DOCKER_LOCK_HELD:-}" = 1 ]; then
  bash scripts/setup.sh
else
  flock "${BSO_DOCKER_LOCK:-/tmp/bso-docker.lock}" bash scripts/setup.sh
fi
exec node --import tsx bench/run-bench.ts "$@"
