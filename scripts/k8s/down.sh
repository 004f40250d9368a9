#!/usr/bin/env bash
# npm run k8s:down: stops the control plane npm run k8s:up started (only the processes whose pids
# it recorded, and only while they still run what it started) and removes its state folder
# ($BSO_K8S_STATE, default /tmp/bso-k8s). Nothing to do is not an error.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
source "$HERE/lib.sh"
case "${1:-}" in -h|--help) sed -n '2,5p' "$0"; exit 0 ;; "") ;; *) echo "k8s:down: unknown argument $1 (try --help)" >&2; exit 2 ;; esac

if [ ! -d "$K8S_STATE" ]; then step "no control plane in $K8S_STATE: nothing to stop"; exit 0; fi
# The controllers first, etcd last.
for name in kube-controller-manager kube-apiserver etcd; do
  pid=$(k8s_pid "$name") || continue
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  step "stopped $name (pid $pid)"
done
rm -rf "$K8S_STATE"
step "removed $K8S_STATE"
