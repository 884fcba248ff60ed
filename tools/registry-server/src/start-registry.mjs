import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';
import { writeHtpasswd } from './htpasswd.mjs';
import { renderRegistryConfig } from './registry-config.mjs';
import { generateIssuerCert, generateServerCerts } from './test-certs.mjs';
import { startTokenIssuer } from './token-issuer.mjs';
import { waitReady } from './wait-ready.mjs';

/** The user created when `users` is not given. */
const DEFAULT_USERS = Object.freeze({ ferry: 'ferry-test-password' });
const LOG_LIMIT = 1 << 20;

/**
 * @typedef {'http' | 'basic' | 'tls' | 'token'} RegistryMode
 */

/**
 * @typedef {object} StartRegistryOptions
 * @property {RegistryMode} mode `http`: plain HTTP, no auth; `basic`: htpasswd; `tls`: HTTPS with a test CA, no auth;
 *   `token`: `auth: token` with an in-process token issuer
 * @property {Readonly<Record<string, string>>} [users] user name → password for `basic` and `token` (default: { ferry: 'ferry-test-password' })
 * @property {boolean} [tls] serve HTTPS (default: `mode === 'tls'`); set it to combine TLS with `basic` or `token`
 * @property {number} [tokenTtlSeconds] lifetime of issued tokens (default: 300)
 * @property {boolean} [anonymousPull] token mode: grant `pull` to requests without credentials (default: false)
 * @property {string} [logLevel] registry log level (default: 'warn')
 * @property {string} [binary] the registry program (default: `docker-registry`, Debian's /usr/bin/docker-registry)
 * @property {number} [timeoutMs] how long to wait for `/v2/` to answer (default: 15000)
 * @property {AbortSignal} [signal] aborts the start-up (rejecting with `signal.reason`) or stops a running server
 */

/**
 * @typedef {object} RunningRegistry
 * @property {string} url `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`
 * @property {string} host `127.0.0.1:PORT`, for `docker://HOST/repo:tag` references
 * @property {string | undefined} caFile TLS: PEM of the CA that signed the server certificate
 * @property {string | undefined} certDir TLS: a directory holding only `ca.crt`, for `--cert-dir`
 * @property {string | undefined} username basic/token: the first user's name
 * @property {string | undefined} password basic/token: the first user's password
 * @property {Readonly<Record<string, string>>} users basic/token: every user; empty otherwise
 * @property {string} storageDir the registry's filesystem storage root (`docker/registry/v2/...` below it)
 * @property {TokenInfo | undefined} token token mode: the issuer's details
 * @property {() => string} logs the registry's stdout and stderr so far (the last MiB)
 * @property {() => Promise<void>} stop kills the registry, stops the issuer and deletes every temporary file; idempotent
 */

/**
 * @typedef {object} TokenInfo
 * @property {string} realm the token endpoint
 * @property {string} service the registry's `service` (token `aud`)
 * @property {string} issuer the token `iss`
 * @property {() => readonly import('./token-issuer.mjs').TokenRequest[]} requests token requests seen so far
 */

/**
 * Starts Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 with a free port and fresh storage.
 * Nothing is installed here: `docker-registry`, `openssl` and (for `basic`) `htpasswd` must be on the PATH.
 * The process is also killed when the Node process exits.
 *
 * @example
 * const registry = await startRegistry({ mode: 'basic' });
 * try {
 *   // skopeo copy --dest-tls-verify=false --dest-creds ${registry.username}:${registry.password} \
 *   //   oci:layout:hello docker://${registry.host}/hello:1
 * } finally {
 *   await registry.stop();
 * }
 *
 * @param {StartRegistryOptions} options
 * @returns {Promise<RunningRegistry>}
 */
export async function startRegistry(options) {
  const { signal } = options;
  signal?.throwIfAborted();
  const root = await mkdtemp(join(tmpdir(), 'ferry-registry-'));
  /** @type {(() => Promise<void>)[]} */
  const cleanups = [() => rm(root, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    return await startIn(root, options, cleanups, cleanup);
  } catch (error) {
    await cleanup();
    throw signal?.aborted ? signal.reason : error;
  }
}

/**
 * @param {string} root
 * @param {StartRegistryOptions} options
 * @param {(() => Promise<void>)[]} cleanups
 * @param {() => Promise<void>} cleanup
 * @returns {Promise<RunningRegistry>}
 */
async function startIn(root, options, cleanups, cleanup) {
  const { mode, signal } = options;
  const withAuth = mode === 'basic' || mode === 'token';
  const users = withAuth ? (options.users ?? DEFAULT_USERS) : {};
  const useTls = options.tls ?? mode === 'tls';
  const storageDir = join(root, 'storage');
  const certsDir = join(root, 'certs');
  await mkdir(storageDir);
  await mkdir(certsDir);

  const config = {
    storageDir,
    logLevel: options.logLevel ?? 'warn',
    ...(useTls ? { tls: await generateServerCerts(certsDir, { signal }) } : {}),
  };
  let certDir;
  let caFile;
  if (config.tls) {
    caFile = config.tls.caFile;
    certDir = join(root, 'cert-dir');
    await mkdir(certDir);
    await copyFile(caFile, join(certDir, 'ca.crt'));
  }
  /** @type {TokenInfo | undefined} */
  let token;
  if (mode === 'basic') {
    const path = join(root, 'htpasswd');
    await writeHtpasswd(path, users, { signal });
    Object.assign(config, { htpasswd: { path } });
  } else if (mode === 'token') {
    const signing = await generateIssuerCert(certsDir, { signal });
    const service = 'ferry-test-registry';
    const issuer = 'ferry-test-issuer';
    const server = await startTokenIssuer({
      ...signing,
      users,
      service,
      issuer,
      ...(options.tokenTtlSeconds === undefined ? {} : { ttlSeconds: options.tokenTtlSeconds }),
      ...(options.anonymousPull === undefined ? {} : { anonymousPull: options.anonymousPull }),
    });
    cleanups.push(server.close);
    token = { realm: server.realm, service, issuer, requests: server.requests };
    Object.assign(config, { token: { realm: server.realm, service, issuer, rootCertBundle: signing.certFile } });
  }

  const ca = caFile === undefined ? undefined : await readFile(caFile);
  const configFile = join(root, 'config.yml');
  const binary = options.binary ?? 'docker-registry';
  let output = '';
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let port = 0;
  // the free port may be taken between probing and binding; a fresh one is tried then
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    await writeFile(configFile, renderRegistryConfig({ ...config, addr: `127.0.0.1:${port}` }));
    const started = spawnRegistry(binary, configFile, (text) => {
      output = (output + text).slice(-LOG_LIMIT);
    });
    child = started.child;
    const process_ = started;
    cleanups.push(() => process_.kill());
    try {
      await waitReady({
        url: `${useTls ? 'https' : 'http'}://127.0.0.1:${port}`,
        ca,
        timeoutMs: options.timeoutMs ?? 15000,
        exited: started.exited,
        signal,
      });
      break;
    } catch (error) {
      await started.kill();
      if (attempt >= 3 || signal?.aborted || !output.includes('address already in use')) {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output}`, { cause: error });
      }
    }
  }

  const host = `127.0.0.1:${port}`;
  const pid = child.pid;
  // removing the storage on exit keeps /tmp clean when a test run is interrupted
  const onExit = () => {
    if (pid !== undefined) killQuietly(pid);
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  /** @type {Promise<void> | undefined} */
  let stopping;
  // every caller, including a second stop() while the first runs, waits for the whole clean-up
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      await cleanup();
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const [username, password] = Object.entries(users)[0] ?? [];
  return {
    url: `${useTls ? 'https' : 'http'}://${host}`,
    host,
    caFile,
    certDir,
    username,
    password,
    users: { ...users },
    storageDir,
    token,
    logs: () => output,
    stop,
  };
}

/**
 * @param {string} binary
 * @param {string} configFile
 * @param {(text: string) => void} onOutput
 */
function spawnRegistry(binary, configFile, onOutput) {
  const child = spawn(binary, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk) => onOutput(String(chunk)));
  child.stderr?.on('data', (chunk) => onOutput(String(chunk)));
  /** @type {Promise<void>} */
  const exited = new Promise((resolve, reject) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`, { cause: error })));
  });
  exited.catch(() => undefined);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited.catch(() => undefined);
    clearTimeout(timer);
  };
  return { child, exited, kill };
}

/** @param {number} pid */
function killQuietly(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
