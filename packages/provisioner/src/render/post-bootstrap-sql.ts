import { checkRoleName, checkSecret } from './spec-checks.js'

/** The application role and database created once, right after the cluster's bootstrap. */
export interface PostBootstrapSpec {
  readonly app: { readonly username: string; readonly password: string; readonly database: string }
}

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`

/**
 * Renders the psql script that Patroni's `bootstrap.post_bootstrap` runs (see
 * {@link renderPatroniConfig}): it creates the non-superuser application role (or resets its
 * password) and its database, owned by it, with `PUBLIC` access to it revoked. Idempotent, so a
 * retried bootstrap or a manual re-run is harmless. Patroni 3.x has no working `bootstrap.users`,
 * hence a script. Write it mode 0600 (it holds the app password), owned by `postgres`.
 *
 * @throws {RenderError} `PROV_RENDER_INVALID_SPEC` for a bad role or database name or an empty password.
 * @example
 * ```ts
 * const sql = renderPostBootstrapSql({ app: { username: 'birthday_app', password: secret, database: 'birthday' } })
 * await writeFile('/etc/patroni/post-bootstrap.sql', sql, { mode: 0o600 })
 * ```
 */
export function renderPostBootstrapSql(spec: PostBootstrapSpec): string {
  const user = checkRoleName('app.username', spec.app.username)
  const database = checkRoleName('app.database', spec.app.database)
  const password = literal(checkSecret('app.password', spec.app.password))
  return [
    '-- Rendered by @birthday-ha/provisioner/render. Run by Patroni post_bootstrap via psql.',
    '\\set ON_ERROR_STOP on',
    'SET synchronous_commit = local;',
    "SET statement_timeout = 0; -- Patroni's bootstrap connection sets 2 s",
    'DO $bootstrap$',
    'BEGIN',
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal(user)}) THEN`,
    `    CREATE ROLE ${user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;`,
    '  END IF;',
    'END',
    '$bootstrap$;',
    `ALTER ROLE ${user} WITH LOGIN PASSWORD ${password};`,
    `SELECT 'CREATE DATABASE ${database} OWNER ${user}'`,
    `  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = ${literal(database)})\\gexec`,
    `REVOKE ALL ON DATABASE ${database} FROM PUBLIC;`,
    `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${user};`,
    '',
  ].join('\n')
}
