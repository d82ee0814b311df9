#!/usr/bin/env bash
# `npm test`: on a fresh clone, install what is missing, build, lint, start what the suite needs
# (PostgreSQL and Redis when down, a Temporal dev server and a Milvus Lite of its own, the test
# database) and run the whole Jest suite and the fuzz step (scripts/fuzz.sh). The integration tier
# runs in the foreground after the unit and adapters tiers; lint and the fuzz step run beside it
# (see side_steps). Extra arguments go to Jest (e.g. `npm test -- test/api`).
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
rm -f "$results" "$WEFT_RUN"/jest-*.json "$WEFT_RUN"/test-*.status "$WEFT_RUN"/test-*.log "$WEFT_RUN/test-stack.up"
side_pid=
# The last line printed is the plain tally CI reads ("Tests: N passed, N failed"): the fuzz step's
# own closing lines look like another runner's and count no Jest test.
cleanup() {
  local rc=$?
  # Steps still running beside (an interrupted or failed run) end with this script.
  [ -n "$side_pid" ] && kill_tree "$side_pid"
  if [ "$started_temporal" = 1 ]; then stop_pidfile "$WEFT_RUN/temporal-test.pid" "Temporal (test)"; fi
  if [ "$started_milvus" = 1 ]; then stop_milvus_lite test; fi
  node scripts/jest-results.js merge "$results" "$WEFT_RUN/jest-fast.json" "$WEFT_RUN/jest-integration.json" 2>/dev/null || true
  if [ -f "$results" ]; then
    log "slowest test files:"
    node scripts/jest-results.js slowest "$results" 8 >&2 || true
    node scripts/jest-results.js tally "$results" || true
  fi
  exit $rc
}
trap cleanup EXIT

lint() {
  npm run --silent lint || die "lint failed"
  npx tsc -p bench --noEmit || die "the benchmarks do not compile"
  # Jest transpiles tests without type-checking them (isolatedModules); check them here.
  npx tsc -p tsconfig.test.json || die "the tests do not type-check"
  # docker-compose.yml cannot run here (no Docker engine) but is checked when a compose client is.
  if command -v docker-compose >/dev/null; then
    WEFT_ENCRYPTION_KEY=${WEFT_ENCRYPTION_KEY:-$(printf '0%.0s' $(seq 64))} docker-compose -f docker-compose.yml config -q || die "docker-compose.yml is invalid"
  fi
}

# The unit and adapters tiers: no service of the stack (the unit tier starts its own test server).
fast_tiers() { npx jest --selectProjects unit adapters --json --outputFile="$WEFT_RUN/jest-fast.json"; }

# The API against its own document (scripts/fuzz.sh), on a database of its own: integration suites
# empty theirs while it runs. It waits for the stack the foreground brings up.
fuzz() {
  local base=${DATABASE_URL%%\?*}
  export DATABASE_URL=${base}_fuzz${DATABASE_URL#"$base"}
  while [ ! -f "$WEFT_RUN/test-stack.up" ]; do sleep 1; done
  bash scripts/stack.sh database && bash scripts/fuzz.sh
}

# Runs the command after it at a lower CPU priority (with every process it starts).
lower_priority() { renice -n 5 -p "$BASHPID" >/dev/null 2>&1 || true; "$@"; }

# Runs step $1 with its output in .run/test-$1.log and its exit status and seconds in
# .run/test-$1.status (report_step prints both).
run_step() {
  local name=$1 started rc; shift
  started=$(date +%s)
  # A subshell: a step that dies (lib.sh's die) ends itself, not the steps after it.
  ( "$@" ) > "$WEFT_RUN/test-$name.log" 2>&1 && rc=0 || rc=$?
  echo "$rc $(( $(date +%s) - started ))" > "$WEFT_RUN/test-$name.status"
}
report_step() {
  local name=$1 rc secs
  [ -f "$WEFT_RUN/test-$name.status" ] || return 0
  read -r rc secs < "$WEFT_RUN/test-$name.status"
  log "---- $name (ran beside the integration tier; log: .run/test-$name.log) ----"
  cat "$WEFT_RUN/test-$name.log" >&2
  if [ "$rc" = 0 ]; then log "$name: passed in $secs s"; else log "$name: FAILED (exit $rc) after $secs s"; fi
  return "$rc"
}

# Beside the integration tier (one file at a time: its suites share a database and a Temporal
# server, and it leaves the second core mostly idle) run lint, then the fuzz step. Files or options
# given to `npm test` make it one Jest run as asked, with lint and the fuzz step beside. The unit and
# adapters tiers run before, alone: some of their tests bound a sandbox process by wall time, which
# a busy second core made them miss. Lint and the fuzz step assert nothing about time, so they run
# at a lower priority and take what CPU the integration tier leaves.
side_steps() {
  [ -z "${WEFT_SKIP_LINT:-}" ] && run_step lint lower_priority lint
  [ -z "${WEFT_SKIP_FUZZ:-}" ] && run_step fuzz lower_priority fuzz
  return 0
}
whole_suite=0
[ $# -eq 0 ] && whole_suite=1

# On a fresh clone the tools of .tools/ (pip) install while npm does.
# So does Debian's Chromium, for the console's browser tests (test/console).
ensure_tools & tools_pid=$!
ensure_chromium & chromium_pid=$!
ensure_node_modules
wait "$tools_pid" || die "installing the tools into .tools/ failed"
wait "$chromium_pid" || die "installing Chromium failed"
build_project
[ -n "${WEFT_SKIP_LINT:-}" ] && log "lint: skipped (WEFT_SKIP_LINT is set)"
[ -n "${WEFT_SKIP_FUZZ:-}" ] && log "fuzz: skipped (WEFT_SKIP_FUZZ is set)"
log "lint and the fuzz step run beside the integration tier (logs: .run/test-*.log)"
if [ "$whole_suite" = 1 ]; then
  log "jest (unit and adapters tiers)"
  run_step jest-fast fast_tiers
fi
side_steps &
side_pid=$!
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
touch "$WEFT_RUN/test-stack.up"

status=0
if [ "$whole_suite" = 1 ]; then
  log "jest (integration tier)"
  npx jest --selectProjects integration --json --outputFile="$WEFT_RUN/jest-integration.json" || status=1
else
  log "jest"
  npx jest --json --outputFile="$WEFT_RUN/jest-integration.json" "$@" || status=1
fi
log "waiting for the steps running beside"
wait "$side_pid" || true
side_pid=
for step in lint jest-fast fuzz; do report_step "$step" || status=1; done
exit $status
