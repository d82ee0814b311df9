#!/usr/bin/env bash
# `npm run test:unit`: the unit tier alone — tests next to the code and the interpreter's unit tier
# (the real run workflow on the time-skipping test server, with fake activities). Needs no
# PostgreSQL, Redis or dev server. Extra arguments go to Jest (e.g. `npm run test:unit -- test/unit`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"

ensure_node_modules
ensure_temporal_test_server
build_project
log "jest (unit tier)"
npx jest "$@" --selectProjects unit
