#!/usr/bin/env bash
# npm run test:all: the whole suite on a fresh machine. Sets up what it needs (npm run setup),
# then lint, type check, unit, integration and end-to-end tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/setup.sh
step "lint"
npm run --silent lint
step "type check"
npm run --silent typecheck
step "tests"
node scripts/run-tests.mjs all
