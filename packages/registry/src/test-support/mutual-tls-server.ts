import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a throw-away CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestPki {
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** Generates a {@link TestPki} in `dir` with openssl (asynchronously), the client's CN being `clientName`. */
export async function makeTestPki(dir: string, clientName: string): Promise<TestPki> {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=ferry mtls CA',
  );
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [who, subject] of [
    ['server', '/CN=localhost'],
    ['client', `/CN=${clientName}`],
  ] as const) {
    await openssl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', subject);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${who}.pem`,
      '-extfile',
      `${who}.ext`,
    );
  }
  return {
    caFile: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
}

/** An HTTPS server requiring a client certificate signed by the test CA, speaking just enough of /v2/. */
export interface MutualTlsServer {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** The CN of the client certificate of each request that reached the server. */
  readonly clients: string[];
  close(): Promise<void>;
}

/** Starts a {@link MutualTlsServer}: `GET /v2/` answers `{}`, `GET /v2/NAME/tags/list` answers tag `v1`. */
export async function startMutualTlsServer(pki: TestPki): Promise<MutualTlsServer> {
  const [key, cert, ca] = await Promise.all([pki.serverKey, pki.serverCert, pki.caFile].map((f) => readFile(f)));
  const clients: string[] = [];
  const server = createServer({ key, cert, ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    clients.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    if (req.url === '/v2/') res.end('{}');
    else if (tags !== null) res.end(JSON.stringify({ name: tags[1], tags: ['v1'] }));
    else {
      res.statusCode = 404;
      res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    clients,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
