import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import { startRegistry } from '@ferry/registry-server';
import { isImageError } from '@ferry/types';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCertDirs, findCertDir, loadCertDir } from './cert-dir.ts';

const run = promisify(execFile);

let work: string;
let pki: string;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
async function makePki(dir: string): Promise<void> {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=ferry test CA',
  );
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [who, subject, ext] of [
    ['server', '/CN=localhost', ['-extfile', 'server.ext']],
    ['client', '/CN=ferry-client', []],
  ] as const) {
    await openssl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', subject);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${who}.pem`,
      ...ext,
    );
  }
}

async function certDir(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (const [target, source] of Object.entries(files)) await copyFile(join(pki, source), join(dir, target));
  return dir;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-cert-dir-'));
  pki = join(work, 'pki');
  await mkdir(pki);
  await makePki(pki);
}, 30_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('loadCertDir', () => {
  it('adds *.crt certificates to the default roots and loads a *.cert/*.key pair', async () => {
    const dir = await certDir('full', { 'ca.crt': 'ca.pem', 'client.cert': 'client.pem', 'client.key': 'client.key' });
    await writeFile(join(dir, 'README'), 'ignored');
    const loaded = await loadCertDir(dir);
    const caPem = (await readFile(join(pki, 'ca.pem'), 'utf8')).trim();
    expect(loaded.extraCa).toEqual([caPem]);
    expect(loaded.ca).toHaveLength(rootCertificates.length + 1);
    expect(loaded.ca.slice(0, rootCertificates.length)).toEqual([...rootCertificates]);
    expect(loaded.ca.at(-1)).toBe(caPem);
    expect(loaded.cert).toBe(await readFile(join(pki, 'client.pem'), 'utf8'));
    expect(loaded.key).toBe(await readFile(join(pki, 'client.key'), 'utf8'));
  });

  it('splits a bundle and ignores .crt files without certificates', async () => {
    const dir = join(work, 'bundle');
    await mkdir(dir);
    const ca = await readFile(join(pki, 'ca.pem'), 'utf8');
    const server = await readFile(join(pki, 'server.pem'), 'utf8');
    await writeFile(join(dir, 'bundle.crt'), `# comment\n${ca}\n${server}`);
    await writeFile(join(dir, 'empty.crt'), 'not a certificate');
    const loaded = await loadCertDir(dir);
    expect(loaded.extraCa).toEqual([ca.trim(), server.trim()]);
    expect(loaded.cert).toBeUndefined();
  });

  it('returns an empty result for a missing or empty directory, keeping Node defaults', async () => {
    expect(await loadCertDir(join(work, 'nope'))).toEqual({ ca: [], extraCa: [] });
    expect(await loadCertDir(await certDir('empty', {}))).toEqual({ ca: [], extraCa: [] });
    const file = join(work, 'plain-file');
    await writeFile(file, '');
    expect(await loadCertDir(file)).toEqual({ ca: [], extraCa: [] });
  });

  it('names the missing half of a client pair', async () => {
    const noKey = await certDir('no-key', { 'client.cert': 'client.pem' });
    const error = await errorOf(loadCertDir(noKey));
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('missing key client.key for client certificate');
    expect((error as Error).message).toContain('.crt');
    const noCert = await certDir('no-cert', { 'client.key': 'client.key' });
    const error2 = await errorOf(loadCertDir(noCert));
    expect(isImageError(error2, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error2 as Error).message).toContain(
      `missing client certificate client.cert for key ${join(noCert, 'client.key')}`,
    );
  });

  it('refuses a certificate whose key does not match', async () => {
    const dir = await certDir('mismatch', { 'client.cert': 'client.pem', 'client.key': 'server.key' });
    const error = await errorOf(loadCertDir(dir));
    expect(isImageError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('client.cert');
    expect((error as Error).cause).toBeDefined();
  });

  it('rejects with the signal reason when aborted', async () => {
    const reason = new Error('stop');
    const dir = await certDir('abort', { 'ca.crt': 'ca.pem' });
    await expect(loadCertDir(dir, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('undici with a loaded directory', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    const [key, cert, ca] = await Promise.all(
      ['server.key', 'server.pem', 'ca.pem'].map((f) => readFile(join(pki, f))),
    );
    server = createServer({ key, cert, ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(`hello ${peer.subject?.CN}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects with verification on, presenting the client certificate', async () => {
    const dir = await certDir('agent', { 'ca.crt': 'ca.pem', 'client.cert': 'client.pem', 'client.key': 'client.key' });
    const { ca, cert, key } = await loadCertDir(dir);
    const agent = new Agent({ connect: { ca, ...(cert && key ? { cert, key } : {}), rejectUnauthorized: true } });
    try {
      const response = await request(`${origin}/v2/`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('hello ferry-client');
    } finally {
      await agent.close();
    }
  });

  it('fails to connect without the CA', async () => {
    const agent = new Agent({ connect: { rejectUnauthorized: true } });
    try {
      const error = await errorOf(request(`${origin}/v2/`, { dispatcher: agent }));
      expect((error as { code?: string } | undefined)?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
    } finally {
      await agent.close();
    }
  });
});

describe('with the TLS registry', () => {
  it('reaches it with the CA from its certificate directory, and not without', async () => {
    const registry = await startRegistry({ mode: 'tls' });
    try {
      const { ca } = await loadCertDir(registry.certDir ?? '');
      expect(ca.length).toBeGreaterThan(0);
      const trusted = new Agent({ connect: { ca } });
      const untrusted = new Agent();
      try {
        const response = await request(`${registry.url}/v2/`, { dispatcher: trusted });
        await response.body.dump();
        expect(response.statusCode).toBe(200);
        const error = await errorOf(request(`${registry.url}/v2/`, { dispatcher: untrusted }));
        expect((error as { code?: string } | undefined)?.code).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
      } finally {
        await Promise.all([trusted.close(), untrusted.close()]);
      }
    } finally {
      await registry.stop();
    }
  }, 60_000);
});

describe('defaultCertDirs and findCertDir', () => {
  it('lists the user directory first, then /etc/containers and /etc/docker, as containers/image', () => {
    expect(defaultCertDirs('localhost:5000', { HOME: '/home/u' }, '/fallback')).toEqual([
      '/home/u/.config/containers/certs.d/localhost:5000',
      '/etc/containers/certs.d/localhost:5000',
      '/etc/docker/certs.d/localhost:5000',
    ]);
    expect(defaultCertDirs('docker.io', {}, '/fallback')[0]).toBe('/fallback/.config/containers/certs.d/docker.io');
  });

  it('refuses hosts that would leave the directory', () => {
    for (const host of ['..', '../etc', 'a/b', '', 'a\\b']) {
      expect(() => defaultCertDirs(host, {}, '/h')).toThrow(/invalid registry host/);
    }
  });

  it('finds the first existing directory', async () => {
    const home = join(work, 'home');
    const host = `ferry-test-${process.pid}.invalid:5000`;
    expect(await findCertDir(host, { HOME: home }, home)).toBeUndefined();
    const dir = join(home, '.config/containers/certs.d', host);
    await mkdir(dir, { recursive: true });
    expect(await findCertDir(host, { HOME: home }, home)).toBe(dir);
  });
});
