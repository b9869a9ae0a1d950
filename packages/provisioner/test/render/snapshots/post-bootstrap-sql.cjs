/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/post-bootstrap-sql.ts > TAP > creates the app role and database idempotently > post-bootstrap.sql 1`] = `
-- Rendered by @birthday-ha/provisioner/render. Run by Patroni post_bootstrap via psql.
\\set ON_ERROR_STOP on
SET synchronous_commit = local;
SET statement_timeout = 0; -- Patroni's bootstrap connection sets 2 s
DO $bootstrap$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'birthday_app') THEN
    CREATE ROLE birthday_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
END
$bootstrap$;
ALTER ROLE birthday_app WITH LOGIN PASSWORD 'it''s-secret';
SELECT 'CREATE DATABASE birthday OWNER birthday_app'
  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = 'birthday')\\gexec
REVOKE ALL ON DATABASE birthday FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE birthday TO birthday_app;

`
