#!/usr/bin/env bash
# `npm run down`: stops what `npm run up` started (API, worker, Temporal, Milvus Lite; PostgreSQL and Redis only
# when `up` had to start them). Data stays in .data/ for the next `npm run up`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
stop_pidfile "$WEFT_RUN/api.pid" API
stop_pidfile "$WEFT_RUN/worker.pid" worker
bash "$WEFT_ROOT/scripts/stack.sh" down
log "stopped"
