#!/usr/bin/env bash
# `npm run bench:interpreter`, `npm run bench:validate`, `npm run bench:activation`,
# `npm run bench:parked`, `npm run bench:ingest`, `npm run bench:api`: builds, brings the stack the benchmark needs up and runs the benchmark.
# Extra arguments go to the benchmark (bench:parked takes N, the number of runs to park; bench:ingest
# N, the number of documents).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"
bench=${1:-interpreter}
shift || true
ensure_node_modules
build_project
# A stack of the benchmark's own without Milvus: name, Temporal port, database, Redis database.
fresh_temporal_stack() {
  export WEFT_STACK_NAME=$1
  export TEMPORAL_PORT=$2
  export TEMPORAL_UI_PORT=off
  export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
  export WEFT_TEMPORAL_DB=$WEFT_DATA/temporal/$1.sqlite
  export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/$3}
  export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/$4}
  port_open 127.0.0.1 "$TEMPORAL_PORT" && die "port $TEMPORAL_PORT is taken: set BENCH_TEMPORAL_PORT"
  rm -rf "$WEFT_TEMPORAL_DB"*
  trap 'stop_pidfile "$WEFT_RUN/temporal-$WEFT_STACK_NAME.pid" "Temporal ($WEFT_STACK_NAME)"; rm -rf "$WEFT_TEMPORAL_DB"*' EXIT
  bash scripts/stack.sh services
  BENCH_TEMPORAL_PID=$(cat "$WEFT_RUN/temporal-$1.pid")
  export BENCH_TEMPORAL_PID
}

case "$bench" in
  # Validation runs in-process on the domain alone.
  validate) ;;
  # Parked runs: a stack of its own (a fresh Temporal dev server, its own database and Redis
  # database), so thousands of runs touch nothing else and the server starts empty.
  parked)
    export WEFT_STACK_NAME=bench
    export TEMPORAL_PORT=${BENCH_TEMPORAL_PORT:-7255}
    export TEMPORAL_UI_PORT=off
    export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
    export WEFT_TEMPORAL_DB=$WEFT_DATA/temporal/bench.sqlite
    export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/weft_bench}
    export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}
    export MILVUS_PORT=${BENCH_MILVUS_PORT:-19555}
    export MILVUS_ADDRESS=127.0.0.1:$MILVUS_PORT
    export WEFT_MILVUS_DATA=$WEFT_DATA/milvus/bench
    port_open 127.0.0.1 "$TEMPORAL_PORT" && die "port $TEMPORAL_PORT is taken: set BENCH_TEMPORAL_PORT"
    port_open 127.0.0.1 "$MILVUS_PORT" && die "port $MILVUS_PORT is taken: set BENCH_MILVUS_PORT"
    rm -rf "$WEFT_TEMPORAL_DB"* "$WEFT_MILVUS_DATA"
    trap 'stop_pidfile "$WEFT_RUN/temporal-bench.pid" "Temporal (bench)"; stop_milvus_lite bench; rm -rf "$WEFT_TEMPORAL_DB"* "$WEFT_MILVUS_DATA"' EXIT
    bash scripts/stack.sh up
    BENCH_TEMPORAL_PID=$(cat "$WEFT_RUN/temporal-bench.pid")
    export BENCH_TEMPORAL_PID
    ;;
  # Ingestion: a stack of its own (a fresh Temporal dev server and Milvus Lite, its own database and
  # Redis database), so the passes index into empty stores and touch nothing else.
  ingest)
    export WEFT_STACK_NAME=bench-ingest
    export TEMPORAL_PORT=${BENCH_TEMPORAL_PORT:-7256}
    export TEMPORAL_UI_PORT=off
    export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
    export WEFT_TEMPORAL_DB=$WEFT_DATA/temporal/bench-ingest.sqlite
    export MILVUS_PORT=${BENCH_MILVUS_PORT:-19536}
    export MILVUS_ADDRESS=127.0.0.1:$MILVUS_PORT
    export WEFT_MILVUS_DATA=$WEFT_DATA/milvus/bench-ingest
    # The rows are made by the ingestion test fixtures, which insist on a database named as a test one.
    export DATABASE_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/weft_bench_ingest_test}
    export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/12}
    export WEFT_ENCRYPTION_KEY=${WEFT_ENCRYPTION_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
    port_open 127.0.0.1 "$TEMPORAL_PORT" && die "port $TEMPORAL_PORT is taken: set BENCH_TEMPORAL_PORT"
    port_open 127.0.0.1 "$MILVUS_PORT" && die "port $MILVUS_PORT is taken: set BENCH_MILVUS_PORT"
    rm -rf "$WEFT_TEMPORAL_DB"* "$WEFT_MILVUS_DATA"
    trap 'bash scripts/stack.sh down; rm -rf "$WEFT_TEMPORAL_DB"* "$WEFT_MILVUS_DATA"' EXIT
    bash scripts/stack.sh up
    BENCH_TEMPORAL_PID=$(cat "$WEFT_RUN/temporal-bench-ingest.pid")
    BENCH_MILVUS_PID=$(cat "$WEFT_RUN/milvus-bench-ingest.pid")
    export BENCH_TEMPORAL_PID BENCH_MILVUS_PID
    ;;
  # The run path against bare Temporal, and the interpreter against a hand-written workflow: a
  # fresh Temporal dev server each (a server that served thousands of runs skews the ratio), no
  # Milvus (nothing retrieves), their own database and Redis database.
  api) fresh_temporal_stack bench-api "${BENCH_TEMPORAL_PORT:-7265}" weft_bench_api 11 ;;
  interpreter) fresh_temporal_stack bench-interpreter "${BENCH_TEMPORAL_PORT:-7257}" weft_bench_interpreter 10 ;;
  *) bash scripts/stack.sh up ;;
esac
npx tsc -p bench
# rootDir is the repository (benchmarks use test/support), so the benchmarks land in dist/bench/.
node "bench/dist/bench/$bench.bench.js" "$@"
