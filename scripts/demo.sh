#!/usr/bin/env bash
# npm run demo: the seed's experiment with bso. Sets up Docker, a Swarm and the images (npm run
# setup), starts the operator in the background (unless one answers already), applies
# examples/hello.yaml, waits until it is Ready, and prints where to look. Idempotent.
#   npm run demo -- --stop    stops the demo: deletes the service and stops the operator
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

OPERATOR_PORT=${BSO_OPERATOR_PORT:-9464}
OPERATOR_LOG=${BSO_OPERATOR_LOG:-/var/log/bso-operator.log}
PIDFILE=.cache/operator.pid
mkdir -p .cache

if [ "${1:-}" = "--stop" ]; then
  node --import tsx scripts/demo-prometheus.ts --remove || true
  node bin/bso.js delete hello --wait --timeout 2m || true
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi
  step "demo stopped"
  exit 0
fi

bash scripts/setup.sh

# The operator's last log lines and exit 1: what to read when it did not come up.
operator_failed() {
  echo "demo: $1" >&2
  echo "demo: the operator's last log lines (${OPERATOR_LOG}):" >&2
  tail -n 20 "$OPERATOR_LOG" 2>/dev/null | sed 's/^/  /' >&2 || true
  exit 1
}

if curl -sf "http://127.0.0.1:${OPERATOR_PORT}/healthz" >/dev/null 2>&1; then
  step "an operator already answers on :${OPERATOR_PORT}"
else
  step "starting the operator in the background (log: ${OPERATOR_LOG})"
  nohup node bin/bso.js operator --backend=swarm --listen "0.0.0.0:${OPERATOR_PORT}" >>"$OPERATOR_LOG" 2>&1 &
  echo $! > "$PIDFILE"
fi
# /readyz: Docker answers and every stored spec was reconciled once (/healthz is up at once).
ready=""
for i in $(seq 1 60); do
  if curl -sf "http://127.0.0.1:${OPERATOR_PORT}/readyz" >/dev/null 2>&1; then ready=1; break; fi
  if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then operator_failed "the operator exited"; fi
  [ $((i % 10)) = 0 ] && echo "  waiting for the operator: $(curl -s "http://127.0.0.1:${OPERATOR_PORT}/readyz" 2>/dev/null || echo 'no answer')"
  sleep 1
done
[ -n "$ready" ] || operator_failed "the operator was not ready within 60 s: $(curl -s "http://127.0.0.1:${OPERATOR_PORT}/readyz" 2>/dev/null || echo 'no answer on :'"${OPERATOR_PORT}")"

step "applying examples/hello.yaml"
node bin/bso.js apply -f examples/hello.yaml --wait --timeout 5m

HAPROXY_CONTAINER=$(docker ps -q --filter label=com.docker.swarm.service.name=hello-haproxy | head -1)
CREDENTIALS=$(docker exec "$HAPROXY_CONTAINER" cat /run/secrets/hello-stats-auth 2>/dev/null || echo "admin:(see docker secret hello-stats-auth)")

step "two replicas answer through HAProxy:"
for _ in 1 2 3 4; do curl -s http://127.0.0.1/ ; echo; done

step "starting Prometheus with the shipped scrape config and alerts (deploy/prometheus)"
PROMETHEUS_URL=http://localhost:${BSO_PROMETHEUS_PORT:-9090}
node --import tsx scripts/demo-prometheus.ts --port "${BSO_PROMETHEUS_PORT:-9090}" --operator-port "$OPERATOR_PORT" hello-net \
  || { echo "demo: Prometheus did not start (the demo works without it; bso describe shows no CPU)" >&2; PROMETHEUS_URL=""; }

# Which container is replica1 (the first server HAProxy lists), for the stress recipe below.
SERVER=$(node bin/bso.js get hello -o json | node -e 'const o = JSON.parse(require("fs").readFileSync(0, "utf8")); const s = (o.status?.servers ?? []).find((x) => x.container) ?? {}; console.log(`${s.name ?? "replica1"} ${s.task ?? "hello-api.1"} ${s.container ?? ""}`)')
read -r SERVER_NAME SERVER_TASK SERVER_CONTAINER <<<"$SERVER"
[ -n "${SERVER_CONTAINER:-}" ] || SERVER_CONTAINER=$(docker ps -q --filter "name=${SERVER_TASK}." | head -1)

cat <<EOF

bso demo is running.

  The app, through HAProxy:   curl http://localhost/
  HAProxy stats page:         http://localhost:8404/stats   (user:password = ${CREDENTIALS})
  HAProxy metrics:            curl http://localhost:8404/metrics
  Operator metrics:           curl http://localhost:${OPERATOR_PORT}/metrics
  Prometheus:                 ${PROMETHEUS_URL:-(not started)}
  Status:                     npx bso get -o wide;  npx bso describe hello${PROMETHEUS_URL:+ --prometheus $PROMETHEUS_URL}
  Live view:                  npx bso top hello${PROMETHEUS_URL:+ --prometheus $PROMETHEUS_URL}

Stress one replica exactly as the seed does, and watch it go MAINT and back. ${SERVER_NAME} is
task ${SERVER_TASK}, container ${SERVER_CONTAINER} (bso describe hello lists each server's task
and container):

  docker exec ${SERVER_CONTAINER} stress-ng --cpu 4 --vm 4 --vm-bytes 75% --timeout 90s
  npx bso top hello${PROMETHEUS_URL:+ --prometheus $PROMETHEUS_URL}        # ${SERVER_NAME} goes MAINT, then back; or the stats page

Stop the demo:  npm run demo -- --stop
EOF
