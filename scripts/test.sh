#!/usr/bin/env bash
# `npm test`: on a fresh clone, install what is missing, build, lint, start what the suite needs
# (PostgreSQL and Redis when down, a Temporal dev server and a Milvus Lite of its own, the test
# database) and run the whole Jest suite, then the fuzz step (scripts/fuzz.sh). Extra arguments go to Jest
# (e.g. `npm test -- test/api`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"

export WEFT_STACK_NAME=test
export DATABASE_URL=${WEFT_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/weft_test}
export REDIS_URL=${WEFT_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
export TEMPORAL_PORT=${WEFT_TEST_TEMPORAL_PORT:-7243}
export TEMPORAL_UI_PORT=off
export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
export WEFT_TEMPORAL_DB=$WEFT_DATA/temporal/test.sqlite
export MILVUS_PORT=${WEFT_TEST_MILVUS_PORT:-19540}
export MILVUS_ADDRESS=127.0.0.1:$MILVUS_PORT
export WEFT_MILVUS_DATA=$WEFT_DATA/milvus/test
# Low so that continue-as-new is exercised by small test graphs.
export WEFT_TEMPORAL_EXTRA_DYNAMIC_CONFIG="limit.historyCount.suggestContinueAsNew=40"
case "$DATABASE_URL" in *test*) ;; *) die "the test database's name must say it is a test database ($DATABASE_URL)";; esac

started_temporal=0
started_milvus=0
mkdir -p "$WEFT_RUN"
results=$WEFT_RUN/jest-results.json
rm -f "$results"
# The last line printed is the plain tally CI reads ("Tests: N passed, N failed"): the fuzz step's
# own closing lines look like another runner's and count no Jest test.
cleanup() {
  local rc=$?
  if [ "$started_temporal" = 1 ]; then stop_pidfile "$WEFT_RUN/temporal-test.pid" "Temporal (test)"; fi
  if [ "$started_milvus" = 1 ]; then stop_milvus_lite test; fi
  if [ -f "$results" ]; then
    node -e 'const r = require(process.argv[1]); console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""))' "$results" || true
  fi
  exit $rc
}
trap cleanup EXIT

ensure_node_modules
ensure_temporal_test_server
build_project
if ! port_open 127.0.0.1 "$TEMPORAL_PORT"; then
  rm -f "$WEFT_TEMPORAL_DB"*
  started_temporal=1
fi
# A fresh Milvus Lite data directory when this run starts the server (as for Temporal's database).
if ! port_open 127.0.0.1 "$MILVUS_PORT"; then
  rm -rf "$WEFT_MILVUS_DATA"
  started_milvus=1
fi
bash scripts/stack.sh up

if [ -z "${WEFT_SKIP_LINT:-}" ]; then
  log "lint"
  npm run --silent lint
  npx tsc -p bench --noEmit || die "the benchmarks do not compile"
  # Jest transpiles tests without type-checking them (isolatedModules); check them here.
  npx tsc -p tsconfig.test.json || die "the tests do not type-check"
  # docker-compose.yml cannot run here (no Docker engine) but is checked when a compose client is.
  if command -v docker-compose >/dev/null; then
    WEFT_ENCRYPTION_KEY=${WEFT_ENCRYPTION_KEY:-$(printf '0%.0s' $(seq 64))} docker-compose -f docker-compose.yml config -q || die "docker-compose.yml is invalid"
  fi
fi
log "jest"
npx jest --json --outputFile="$results" "$@"

# The API against its own document (scripts/fuzz.sh). WEFT_SKIP_FUZZ=1 skips it while iterating.
if [ -n "${WEFT_SKIP_FUZZ:-}" ]; then
  log "fuzz: skipped (WEFT_SKIP_FUZZ is set)"
else
  bash scripts/fuzz.sh
fi
