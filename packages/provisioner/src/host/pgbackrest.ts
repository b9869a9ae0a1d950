/** Where pgBackRest keeps backups and WAL. */
export interface PgBackrestSpec {
  readonly stanza: string
  /** `s3` in production; `posix` for the local archive/restore test. */
  readonly repo: { readonly type: 's3'; readonly bucket: string; readonly region: string; readonly path: string } | { readonly type: 'posix'; readonly path: string }
  readonly dataDir: string
  readonly port: number
  readonly socketDir: string
  readonly retentionFull: number
  readonly logPath?: string
}

/**
 * Render `pgbackrest.conf`. On AWS the S3 credentials come from the
 * instance profile (`repo1-s3-key-type=auto`, IMDSv2); nothing secret is
 * written.
 */
export function renderPgBackrestConf(spec: PgBackrestSpec): string {
  const repo =
    spec.repo.type === 's3'
      ? [
          'repo1-type=s3',
          `repo1-s3-bucket=${spec.repo.bucket}`,
          `repo1-s3-region=${spec.repo.region}`,
          `repo1-s3-endpoint=s3.${spec.repo.region}.amazonaws.com`,
          'repo1-s3-key-type=auto',
          `repo1-path=${spec.repo.path}`,
        ]
      : ['repo1-type=posix', `repo1-path=${spec.repo.path}`]
  return [
    '[global]',
    ...repo,
    `repo1-retention-full=${spec.retentionFull}`,
    'start-fast=y',
    'compress-type=zst',
    'log-level-console=info',
    'log-level-file=detail',
    ...(spec.logPath === undefined ? [] : [`log-path=${spec.logPath}`]),
    '',
    `[${spec.stanza}]`,
    `pg1-path=${spec.dataDir}`,
    `pg1-port=${spec.port}`,
    `pg1-socket-path=${spec.socketDir}`,
    '',
  ].join('\n')
}

/** PostgreSQL `archive_command` pushing each WAL segment to the repository. */
export function archiveCommand(stanza: string): string {
  return `pgbackrest --stanza=${stanza} archive-push %p`
}

/** PostgreSQL `restore_command` fetching WAL from the repository (of `config`, default `/etc/pgbackrest.conf`). */
export function restoreCommand(stanza: string, config?: string): string {
  return `pgbackrest${config === undefined ? '' : ` --config=${config}`} --stanza=${stanza} archive-get %f "%p"`
}
