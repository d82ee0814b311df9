#!/usr/bin/env bash
# Author a new migration from the schema: scripts/db-diff.sh <name>
# (prisma migrate dev does not work with the JS engine; migrate diff does.)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
name=${1:?usage: npm run db:diff -- <migration_name>}
export DATABASE_URL=${DATABASE_URL:-$WEFT_DEFAULT_DATABASE_URL}
tmp=$(mktemp)
npx prisma migrate diff --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --script > "$tmp"
if ! grep -q '[A-Za-z]' <(grep -v '^--' "$tmp"); then echo "no schema changes"; rm -f "$tmp"; exit 0; fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir" && mv "$tmp" "$dir/migration.sql"
echo "wrote $dir/migration.sql"
