import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  /** The CA that signed the master's certificate. */
  ca: string;
  /** Another CA, which signed nothing the master serves. */
  otherCa: string;
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throwaway CA, a server certificate for 127.0.0.1 (IP SAN) it signed, and an unrelated CA, made with the openssl CLI. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-tls-'));
  const selfSigned = (name: string, cn: string) =>
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1'].concat([
        '-subj',
        `/CN=${cn}`,
      ]),
      dir,
    );
  selfSigned('ca', 'sloth test CA');
  selfSigned('other-ca', 'some other CA');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem'].concat([
      '-days',
      '1',
      '-extfile',
      'san.cnf',
    ]),
    dir,
  );
  return {
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
  };
}
