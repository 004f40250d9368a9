#!/usr/bin/env bash
# npm run test:all: the whole suite on a fresh machine. Sets up what it needs (npm run setup),
# then lint, type check, unit, integration, Kubernetes (a real control plane, started and
# stopped around its tier), end-to-end and fault tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/setup.sh
# The Kubernetes tier's control plane and node: built once per machine (about 14 minutes the first time).
bash scripts/k8s/build.sh kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy >/dev/null
step "lint"
npm run --silent lint
step "type check"
npm run --silent typecheck
step "tests"
BSO_TEST_K8S_UP=1 node scripts/run-tests.mjs all
