#!/bin/sh
# Run once by the postgres image when it creates its data directory (docker-compose.yml): the
# role the app connects as. It owns nothing and has no BYPASSRLS, so PostgreSQL's row-level
# security holds it (README, "Security"); `migrate` runs as the owner (POSTGRES_USER) and grants
# it what it needs. An existing database needs the same statement run once by hand.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$LOOPDESK_APP_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE loopdesk_app LOGIN PASSWORD :'password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
SQL
