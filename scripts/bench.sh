#!/usr/bin/env bash
# `npm run bench:interpreter`: builds, brings the dev stack up and runs the benchmark script.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"
ensure_node_modules
build_project
bash scripts/stack.sh up
npx tsc -p bench
node "bench/dist/${1:-interpreter}.bench.js"
