import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A PEM certificate and its key. */
export interface Pem {
  readonly cert: Buffer
  readonly key: Buffer
}

/** Throwaway TLS material: a CA, a server and a client certificate it signed, and a CA that signed neither. */
export interface TlsMaterial {
  readonly ca: Buffer
  readonly otherCa: Buffer
  /** SAN IP:127.0.0.1 and DNS:patroni.test, as a Patroni member's `restapi.certfile`. */
  readonly server: Pem
  readonly client: Pem
  /** The client key encrypted with {@link TlsMaterial.passphrase}. */
  readonly encryptedClientKey: Buffer
  readonly passphrase: string
}

/** Generates {@link TlsMaterial} with the `openssl` CLI in a temp dir (removed afterwards); about 0.5 s. */
export function generateTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'ha-pg-tls-'))
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const read = (file: string): Buffer => readFileSync(join(dir, file))
  try {
    for (const ca of ['ca', 'other-ca']) ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.pem`)
    const sign = (name: string, extensions: string): void => {
      writeFileSync(join(dir, `${name}.ext`), extensions)
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`)
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`)
    }
    sign('server', 'subjectAltName=IP:127.0.0.1,DNS:patroni.test\nextendedKeyUsage=serverAuth\n')
    sign('client', 'extendedKeyUsage=clientAuth\n')
    const passphrase = 'client-key-secret'
    ssl('pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${passphrase}`, '-out', 'client-encrypted.key')
    return {
      ca: read('ca.pem'),
      otherCa: read('other-ca.pem'),
      server: { cert: read('server.pem'), key: read('server.key') },
      client: { cert: read('client.pem'), key: read('client.key') },
      encryptedClientKey: read('client-encrypted.key'),
      passphrase,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
