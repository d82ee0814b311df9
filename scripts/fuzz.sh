#!/usr/bin/env bash
# The fuzz step of `npm test`: Schemathesis reads /v1/openapi.json and sends a bounded budget of
# generated requests (valid and invalid) with an API key, then to the codec endpoint with the
# operator token (an API key only ever gets its 401 there); any 5xx, or a status, content type,
# header or body the document does not allow, fails the step.
#
# The built API (apps/api/dist) runs on a free loopback port against the test database, Redis and
# the test Temporal server, with no worker: a run it starts is never executed, so nothing a
# generated graph says can run, and all traffic stays on this machine. Pause and resume are left
# out: they are Updates a worker must answer, so here they can only answer 503 (the full-stack
# suites test them: test/api/run-control.test.ts). /health/deep says no worker polls the task queues:
# its documented 503 is expected there (scripts/fuzz.schemathesis.toml).
#
# Called by scripts/test.sh beside the integration tier, once it has built the project and brought the
# stack up, with DATABASE_URL set to a test database of its own (the suites empty theirs meanwhile).
# Alone: `bash scripts/fuzz.sh` after `npm run build`, with the stack of `npm test` up.
# Settings: WEFT_FUZZ_MAX_EXAMPLES (per operation and phase, default 25, as the README says), WEFT_FUZZ_SEED.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$WEFT_ROOT"

export DATABASE_URL=${DATABASE_URL:-${WEFT_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/weft_test}}
export REDIS_URL=${REDIS_URL:-${WEFT_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}}
export TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:${WEFT_TEST_TEMPORAL_PORT:-7243}}
case "$DATABASE_URL" in *test*) ;; *) die "the fuzz step only runs against a test database ($DATABASE_URL)";; esac
[ -f apps/api/dist/main.js ] || die "build first (npm run build)"

ensure_schemathesis
started=$(date +%s)
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
suffix=$(node -e 'process.stdout.write(require("crypto").randomBytes(4).toString("hex"))')
codec_token=$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))')
url=http://127.0.0.1:$port
api_log=$WEFT_RUN/fuzz-api.log
api_pid=

stop_api() {
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    kill -TERM "$api_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$api_pid" 2>/dev/null || true
  fi
}
trap stop_api EXIT

log "fuzz: starting the API on $url (no worker; log: ${api_log#"$WEFT_ROOT"/})"
# Task queues of its own that no worker polls (runs, ingestion jobs); no request rate limits (Schemathesis sends far
# more than a client would; their 429 is documented all the same); blocking requests wait one second at most, and a
# live event stream (of a run that never ends, here) is closed after 100 ms.
WEFT_API_HOST=127.0.0.1 WEFT_API_PORT=$port TEMPORAL_TASK_QUEUE=weft-fuzz-$suffix TEMPORAL_INGESTION_TASK_QUEUE=weft-fuzz-ingest-$suffix \
  WEFT_ENCRYPTION_KEY=${WEFT_ENCRYPTION_KEY:-$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')} \
  WEFT_CODEC_TOKEN=$codec_token WEFT_RATE_LIMIT_KEY_PER_MINUTE=0 WEFT_RATE_LIMIT_WORKSPACE_PER_MINUTE=0 WEFT_BLOCKING_TIMEOUT_MS=500 WEFT_MAX_BLOCKING_TIMEOUT_MS=1000 WEFT_SSE_MAX_STREAM_MS=100 LOG_LEVEL=warn \
  node apps/api/dist/main.js > "$api_log" 2>&1 < /dev/null &
api_pid=$!
wait_for "the API (see ${api_log#"$WEFT_ROOT"/})" 60 curl -sf "$url/health/ready"

key=$(node apps/api/dist/cli/tenant.cli.js create "fuzz-$suffix" --role admin 2>/dev/null) || die "could not create the fuzz tenant's key"

log "fuzz: schemathesis $SCHEMATHESIS_VERSION against $url/v1/openapi.json"
status=0
# Schemathesis closes with a pytest-style "=== 2 warnings in 25s ===" line, which a reader of test
# output takes for a run with no test in it: the sed keeps its words without the rule, so the plain
# tally that scripts/test.sh prints last is the only closing line (pipefail keeps schemathesis's status).
# Schemathesis keeps a cache (.schemathesis/) where it runs: in .run/, which git ignores.
mkdir -p "$WEFT_RUN/fuzz"
# $1: the Authorization value; the rest: which operations (schemathesis's path filters).
fuzz() {
  local auth=$1; shift
  (cd "$WEFT_RUN/fuzz" && "$WEFT_TOOLS/bin/schemathesis" --config-file "$WEFT_ROOT/scripts/fuzz.schemathesis.toml" run "$url/v1/openapi.json" \
    --header "Authorization: Bearer $auth" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful \
    "$@" \
    --max-examples "${WEFT_FUZZ_MAX_EXAMPLES:-25}" \
    ${WEFT_FUZZ_SEED:+--seed "$WEFT_FUZZ_SEED"} \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    --suppress-health-check all \
    --no-color) 2>&1 | sed -E 's/^=+ (.*) =+$/fuzz: \1/'
}
# An API key only ever gets 401 from the codec endpoint: it has its own pass, with the operator token.
# Model providers are left out: a provider the fuzzer registers has a generated base URL (it once
# made https://0.com), and retrieval then calls it. Tests send traffic to loopback only; the routes
# are tested with local servers in test/api (knowledge, audit, workspace-isolation) and test/nodes.
fuzz "$key" --exclude-path-regex '^(/v1/runs/\{id\}/(pause|resume)|/v1/api-keys/\{id\}.*|/codec/.*|/v1/model-providers.*)$' || status=$?
# Revoking and rotating keys: a pass of their own, with a key of its own. The fuzzer reuses ids it
# has seen in responses (GET /v1/api-keys lists its own key), and a key it revokes or rotates away
# answers 401 to every request after.
keys_key=$(node apps/api/dist/cli/tenant.cli.js create "fuzz-$suffix" --role admin 2>/dev/null) || die "could not create the key of the key pass"
log "fuzz: revoking and rotating keys, with a key of their own"
fuzz "$keys_key" --include-path-regex '^/v1/api-keys/\{id\}' || status=$?
log "fuzz: the codec endpoint, with the operator token"
fuzz "$codec_token" --include-path-regex '^/codec/' || status=$?

stop_api
if grep -q '"level":"error"' "$api_log"; then
  log "fuzz: the API logged errors:"; grep '"level":"error"' "$api_log" | head -20 >&2
  status=1
fi
log "fuzz: done in $(( $(date +%s) - started )) s"
exit $status
