import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Files for redis-server's tls-* options, plus the CA in memory for Node clients (`tls: { ca }`). */
export interface TlsMaterial {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caPem: string;
  remove(): void;
}

/**
 * A throwaway CA and one server certificate signed by it, made with the openssl CLI (no extra npm
 * dependency, and the same tool an operator would use). One certificate serves every node: Redis
 * also presents it as the client certificate on replication, cluster-bus and sentinel links, so it
 * carries both serverAuth and clientAuth. The SAN covers IP:127.0.0.1 because every node here is
 * addressed by IP, and Node checks the IP SAN, not the CN. EC keys keep generation to a few ms.
 */
export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-redis-tls-'));
  const file = (name: string) => join(dir, name);
  // Run in the temp dir, so every file name below is relative to it (and has no spaces).
  const openssl = (args: string) => execFileSync('openssl', args.split(' '), { cwd: dir, stdio: 'pipe' });
  const ecKey = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  try {
    openssl(
      `req -x509 ${ecKey} -keyout ca.key -out ca.crt -days 2 -subj /CN=thaw-test-CA ` +
        '-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign',
    );
    openssl(`req -new ${ecKey} -keyout server.key -out server.csr -subj /CN=localhost`);
    writeFileSync(
      file('server.ext'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ].join('\n'),
    );
    openssl(
      'x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 ' +
        '-extfile server.ext -out server.crt',
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl failed to make test certificates: ${(error as Error).message}\n${stderr}`);
  }
  return {
    dir,
    caFile: file('ca.crt'),
    certFile: file('server.crt'),
    keyFile: file('server.key'),
    caPem: readFileSync(file('ca.crt'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
