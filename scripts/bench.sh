#!/usr/bin/env bash
# `npm run bench:interpreter`, `npm run bench:validate`: builds, brings the dev stack up when the
# benchmark needs it and runs the benchmark script.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"
ensure_node_modules
build_project
# Validation runs in-process on the domain alone; the other benchmarks need the stack.
[ "${1:-interpreter}" = validate ] || bash scripts/stack.sh up
npx tsc -p bench
node "bench/dist/${1:-interpreter}.bench.js"
