#!/usr/bin/env bash
# `npm run up`: install, build, bring the whole local stack up, start the API and the worker in the
# background, then run the sample workflow and the knowledge sample (examples/handbook, no model needed)
# end to end and print where to look.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"

export DATABASE_URL=${DATABASE_URL:-$WEFT_DEFAULT_DATABASE_URL}
export WEFT_API_HOST=${WEFT_API_HOST:-127.0.0.1}
export WEFT_API_PORT=${WEFT_API_PORT:-3000}
export TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
export TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:$TEMPORAL_PORT}
export MILVUS_PORT=${MILVUS_PORT:-19530}
export MILVUS_ADDRESS=${MILVUS_ADDRESS:-127.0.0.1:$MILVUS_PORT}
export TEMPORAL_UI_URL=${TEMPORAL_UI_URL:-http://127.0.0.1:$TEMPORAL_UI_PORT}
API_URL=http://$WEFT_API_HOST:$WEFT_API_PORT

ensure_node_modules
ensure_encryption_key
ensure_codec_token
build_project
bash scripts/stack.sh up

# Restart the API and worker so they run the code just built.
stop_pidfile "$WEFT_RUN/api.pid" API
stop_pidfile "$WEFT_RUN/worker.pid" worker
if port_open "$WEFT_API_HOST" "$WEFT_API_PORT"; then die "port $WEFT_API_PORT is taken by another program; set WEFT_API_PORT"; fi
log "starting the worker (log: .run/worker.log)"
nohup node apps/worker/dist/main.js >> "$WEFT_RUN/worker.log" 2>&1 < /dev/null &
echo $! > "$WEFT_RUN/worker.pid"
log "starting the API on $API_URL (log: .run/api.log)"
nohup node apps/api/dist/main.js >> "$WEFT_RUN/api.log" 2>&1 < /dev/null &
echo $! > "$WEFT_RUN/api.pid"
wait_for "the API (see .run/api.log)" 60 curl -sf "$API_URL/health/ready"

# A person for the console: the owner of a "Demo workspace", made once (its password in
# .run/console.password); its owner key runs the samples below, so the console shows their runs.
if [ ! -s "$WEFT_RUN/console.password" ]; then
  password=$(node -e 'process.stdout.write(require("crypto").randomBytes(15).toString("base64url"))')
  if key=$(WEFT_OWNER_PASSWORD=$password node apps/api/dist/cli/tenant.cli.js create-owner "Demo workspace" demo@weft.local 2>>"$WEFT_RUN/api.log"); then
    printf '%s\n' "$key" > "$WEFT_RUN/demo.key"
    printf '%s\n' "$password" > "$WEFT_RUN/console.password"
  else
    log "the console's demo account demo@weft.local was not made: it exists already (an earlier npm run up on this machine, whose checkout keeps its password in .run/console.password), or see .run/api.log"
  fi
fi
# One admin key for the local "demo" tenant when there is none, kept for later runs of this script.
if [ ! -s "$WEFT_RUN/demo.key" ] || [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$WEFT_RUN/demo.key")" "$API_URL/v1/workflows")" != 200 ]; then
  node apps/api/dist/cli/tenant.cli.js create demo --role admin 2>/dev/null > "$WEFT_RUN/demo.key"
fi
WEFT_API_URL=$API_URL WEFT_API_KEY=$(cat "$WEFT_RUN/demo.key") node scripts/sample-run.js
WEFT_API_URL=$API_URL WEFT_API_KEY=$(cat "$WEFT_RUN/demo.key") node scripts/sample-knowledge.js
cat <<MSG

  Console:         $API_URL/console/   (sign in as demo@weft.local, password: $(cat "$WEFT_RUN/console.password" 2>/dev/null || echo 'see .run/console.password'))
  API:             $API_URL   (OpenAPI: $API_URL/v1/openapi.json)
  Temporal Web UI: $TEMPORAL_UI_URL
  History:         encrypted; decoded by the codec endpoint $API_URL/codec (token: .data/codec.token)
  API key (demo):  .run/demo.key
  Milvus (Lite):   $MILVUS_ADDRESS
  Logs:            .run/api.log, .run/worker.log, .run/temporal-dev.log, .run/milvus-dev.log
  Stop it all:     npm run down
MSG
