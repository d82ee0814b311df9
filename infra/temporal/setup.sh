#!/bin/sh
# Namespace and search-attribute setup against any Temporal cluster (used by docker-compose).
# Idempotent: an attribute or namespace that already exists is left as it is.
set -eu
ADDRESS=${TEMPORAL_ADDRESS:-127.0.0.1:7233}
NAMESPACE=${TEMPORAL_NAMESPACE:-default}
DIR=$(dirname "$0")
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do sleep 1; done
temporal operator namespace describe --address "$ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$ADDRESS" -n "$NAMESPACE" --retention 720h
grep -v '^#' "$DIR/search-attributes.txt" | while IFS='=' read -r name type; do
  [ -n "$name" ] || continue
  temporal operator search-attribute create --address "$ADDRESS" -n "$NAMESPACE" --name "$name" --type "$type" >/dev/null 2>&1 || true
done
echo "temporal namespace '$NAMESPACE' ready at $ADDRESS"
