/** Where apt-cacher-ng keeps things and where it listens. */
export interface AcngSettings {
  readonly cacheDir: string
  readonly logDir: string
  readonly runDir: string
  readonly bindAddress: string
  readonly port: number
  /** Served as-is under `/files/` (the lab's mirror of non-Debian downloads such as Node.js). */
  readonly filesDir: string
}

/**
 * Debian's mirror only: the packaged config maps `/debian` to a backend
 * file whose host does not resolve here (`503 Host not found`), so the lab
 * writes its own. `ForceManaged: 1` refuses every URL no `Remap-` line
 * names (403), and an empty `PassThroughPattern` refuses CONNECT tunnels:
 * https://www.unix-ag.uni-kl.de/~bloch/acng/html/config-serv.html
 * `LocalDirs` serves the lab's own files (`http://<ip>:<port>/files/<name>`).
 */
export function acngConfig(s: AcngSettings): string {
  return [
    `CacheDir: ${s.cacheDir}`,
    `LogDir: ${s.logDir}`,
    'SupportDir: /usr/lib/apt-cacher-ng',
    `Port: ${s.port}`,
    `BindAddress: ${s.bindAddress}`,
    `SocketPath: ${s.runDir}/acng.socket`,
    `PidFile: ${s.runDir}/acng.pid`,
    'ForeGround: 1',
    'ForceManaged: 1',
    'PassThroughPattern: ^$',
    'ReportPage: acng-report.html',
    'ExThreshold: 4',
    `LocalDirs: files ${s.filesDir}`,
    'Remap-debrep: deb.debian.org/debian ; http://deb.debian.org/debian/',
    'Remap-secdeb: deb.debian.org/debian-security security.debian.org/debian-security ; http://deb.debian.org/debian-security/',
    '',
  ].join('\n')
}
