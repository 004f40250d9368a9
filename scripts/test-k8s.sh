#!/usr/bin/env bash
# npm run test:k8s [filter...]: the Kubernetes tier (*.k8s.test.ts) against a real control plane,
# started with npm run k8s:up when BSO_TEST_KUBECONFIG does not name one (and stopped afterwards
# when this started it). The first run on a machine builds Kubernetes (about 14 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_npm_packages
# The seed experiment runs bin/bso.js, which runs the compiled CLI: build it, so that the tier
# never tests an older dist/ than the source beside it.
npm run -s build
BSO_TEST_K8S_UP=1 exec node scripts/run-tests.mjs k8s "$@"
