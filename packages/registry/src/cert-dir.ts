import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { type CallOptions, ImageError } from '@ferry/types';

/** The TLS material of a certificate directory, ready for undici's `connect` options. */
export interface CertDirContents {
  /**
   * The CAs to trust: Node's default roots followed by the directory's `*.crt` certificates, because
   * containers/image adds them to the system pool rather than replacing it. Empty when the directory has no
   * `*.crt`, meaning "keep Node's defaults": pass `ca` to undici only when it is not empty.
   */
  readonly ca: string[];
  /** The certificates from the directory's `*.crt` files alone, one PEM block each. */
  readonly extraCa: string[];
  /** The client certificate (PEM) of the first `*.cert`/`*.key` pair by file name, if any. */
  readonly cert?: string;
  /** The private key (PEM) matching `cert`. */
  readonly key?: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Node's defaults: `getCACertificates('default')` where it exists (Node ≥ 22.15), else the bundled roots. */
function defaultRoots(): readonly string[] {
  const get = (tls as unknown as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : tls.rootCertificates;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // as containers/image: a missing or unreadable directory simply holds no certificates
    const code = (error as { code?: unknown } | null)?.code;
    if (isMissing(error) || code === 'EACCES' || code === 'EPERM') return [];
    throw new ImageError('ERR_IO', `reading certificate directory ${dir}`, { cause: error });
  }
}

async function readText(path: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  signal?.throwIfAborted();
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // removed between the listing and the read: an expected race, as containers/image treats it
    if (isMissing(error)) return undefined;
    throw new ImageError('ERR_IO', `reading ${path}`, { cause: error });
  } finally {
    signal?.throwIfAborted();
  }
}

/**
 * Loads a certificate directory as containers/image `tlsclientconfig.SetupCertificates` does: every `*.crt`
 * holds CA certificates added to the default roots; every `*.cert` is a client certificate whose key is the
 * `*.key` of the same base name, and each `*.key` needs its `*.cert`; other files are ignored. A missing or
 * unreadable directory yields an empty result.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` naming the file when a `.cert` lacks its `.key` (or the
 * reverse) or a pair does not load; `ERR_IO` when a file cannot be read.
 *
 * @example
 * ```ts
 * const { ca, cert, key } = await loadCertDir('/etc/containers/certs.d/registry.example:5000', { signal });
 * const agent = new Agent({ connect: { ...(ca.length > 0 ? { ca } : {}), ...(cert && key ? { cert, key } : {}) } });
 * ```
 */
export async function loadCertDir(dir: string, options: CallOptions = {}): Promise<CertDirContents> {
  const { signal } = options;
  signal?.throwIfAborted();
  const entries = (await listDir(dir)).map((e) => e.name).sort();
  signal?.throwIfAborted();
  const names = new Set(entries);
  const extraCa: string[] = [];
  let pair: { cert: string; key: string } | undefined;
  for (const name of entries) {
    const path = join(dir, name);
    if (name.endsWith('.crt')) {
      const text = await readText(path, signal);
      // like Go's AppendCertsFromPEM, text that holds no certificate adds nothing
      extraCa.push(...(text?.match(PEM_CERTIFICATE) ?? []));
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!names.has(keyName)) {
        throw new ImageError(
          'ERR_INVALID_ARGUMENT',
          `missing key ${keyName} for client certificate ${path}; CA certificates should use the extension .crt`,
        );
      }
      const cert = await readText(path, signal);
      const key = await readText(join(dir, keyName), signal);
      if (cert === undefined || key === undefined) continue;
      try {
        tls.createSecureContext({ cert, key });
      } catch (cause) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `loading client certificate ${path} with key ${keyName}`, {
          cause,
        });
      }
      pair ??= { cert, key };
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`;
      if (!names.has(certName)) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `missing client certificate ${certName} for key ${path}`);
      }
    }
  }
  const ca = extraCa.length > 0 ? [...defaultRoots(), ...extraCa] : [];
  return { ca, extraCa, ...pair };
}

function checkHost(host: string): void {
  if (host === '' || host === '.' || host === '..' || /[/\\\0]/.test(host)) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `invalid registry host ${JSON.stringify(host)} for a certificate directory`,
    );
  }
}

/**
 * The per-host certificate directories containers/image looks at, in its order:
 * `$HOME/.config/containers/certs.d/HOST`, `/etc/containers/certs.d/HOST`, `/etc/docker/certs.d/HOST`.
 * containers/image uses only the first that exists (see {@link findCertDir}); a `--cert-dir` given by the
 * user replaces them all. `HOST` is the registry as written in the reference, with its port (`docker.io`,
 * `localhost:5000`).
 *
 * @param env - The environment; `HOME` wins over `home`, as Go's `homedir.Get()`.
 * @param home - The home directory when `HOME` is unset, e.g. `os.homedir()`.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `host` could escape the directory (`/`, `..`).
 *
 * @example
 * ```ts
 * defaultCertDirs('localhost:5000', process.env, os.homedir());
 * ```
 */
export function defaultCertDirs(
  host: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string[] {
  checkHost(host);
  const userHome = env.HOME !== undefined && env.HOME !== '' ? env.HOME : home;
  return [
    join(userHome, '.config/containers/certs.d', host),
    join('/etc/containers/certs.d', host),
    join('/etc/docker/certs.d', host),
  ];
}

/**
 * The certificate directory containers/image would use for `host`: the first of {@link defaultCertDirs}
 * that exists (even if empty), or `undefined` when none does. Unreadable candidates are skipped.
 *
 * @example
 * ```ts
 * const dir = await findCertDir('localhost:5000', process.env, os.homedir(), { signal });
 * const tls = dir === undefined ? undefined : await loadCertDir(dir, { signal });
 * ```
 */
export async function findCertDir(
  host: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  options: CallOptions = {},
): Promise<string | undefined> {
  for (const dir of defaultCertDirs(host, env, home)) {
    options.signal?.throwIfAborted();
    try {
      await stat(dir);
      return dir;
    } catch {
      // missing or not accessible: try the next one, as containers/image does
    }
  }
  options.signal?.throwIfAborted();
  return undefined;
}
