import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CallOptions, RegistryOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';
import { dockerPolicyNamespaces, type RegistryImageName } from './docker-reference.ts';
import { loadRegistriesConfig, type RegistriesConfig, type SignatureStorageNamespace } from './registries-d.ts';

/** Where the signatures of one `docker://` repository live, per `registries.d`. */
export interface SignatureStorage {
  /** The lookaside location read from: the configured (or built-in) base URL with `/REPO` appended. */
  readonly lookasideRead: URL;
  /** The lookaside location written to: `lookaside-staging` when set, else as {@link lookasideRead}. */
  readonly lookasideWrite: URL;
  /** Whether sigstore signatures are read from and written to `sha256-HEX.sig` attachments. */
  readonly sigstoreAttachments: boolean;
}

/** Facts {@link signatureStorageFor} needs about the running user, for the built-in default lookaside. */
export interface SignatureStorageEnvironment {
  /** The effective user id (`_CONTAINERS_ROOTLESS_UID` when set). 0 picks the system-wide default. */
  readonly euid: number;
  /** The user's home directory. */
  readonly home: string;
}

/**
 * Reads `registries.d` (`options.registriesDir` or the default directories) and says where the signatures
 * of `name` live. Called once when a source or destination opens, as containers/image does.
 * @throws {@link ImageError} `ERR_INVALID_POLICY` for a malformed configuration or lookaside URL.
 * @example
 * ```ts
 * const storage = await openSignatureStorage(parseDockerImageName('//quay.io/app:v1'), { registriesDir });
 * console.log(storage.lookasideRead.href, storage.sigstoreAttachments);
 * ```
 */
export async function openSignatureStorage(
  name: RegistryImageName,
  options: RegistryOptions = {},
  callOptions: CallOptions = {},
): Promise<SignatureStorage> {
  const config = await loadRegistriesConfig({
    ...callOptions,
    ...(options.registriesDir === undefined ? {} : { registriesDir: options.registriesDir }),
  });
  return signatureStorageFor(config, name, currentEnvironment());
}

/**
 * Says where the signatures of `name` live in a loaded configuration. Namespaces are tried from the most
 * specific: the full reference (`host/repo:tag`), the repository and its parents, the host, `*.domain`
 * wildcards, then `default-docker`; the first one that sets a value wins, per value. Without any lookaside
 * setting, the built-in default is `file:///var/lib/containers/sigstore` for root and
 * `~/.local/share/containers/sigstore` for other users. The repository path (without the host) is appended.
 * @throws {@link ImageError} `ERR_INVALID_POLICY` for a lookaside that is not a URL.
 */
export function signatureStorageFor(
  config: RegistriesConfig,
  name: RegistryImageName,
  environment: SignatureStorageEnvironment,
): SignatureStorage {
  const namespaces = matchingNamespaces(config, name);
  const read = namespaces.map((ns) => ns.lookaside).find((url) => url !== undefined);
  const write = namespaces.map((ns) => ns.lookasideStaging ?? ns.lookaside).find((url) => url !== undefined);
  const attachments = namespaces.map((ns) => ns.useSigstoreAttachments).find((use) => use !== undefined);
  return {
    lookasideRead: withRepository(lookasideBase(read, environment), name),
    lookasideWrite: withRepository(lookasideBase(write, environment), name),
    sigstoreAttachments: attachments ?? false,
  };
}

/** The built-in default lookaside of containers/image for a user. */
export function builtinLookasideBase(environment: SignatureStorageEnvironment): URL {
  return environment.euid === 0
    ? new URL('file:///var/lib/containers/sigstore')
    : pathToFileURL(join(environment.home, '.local/share/containers/sigstore'));
}

function currentEnvironment(): SignatureStorageEnvironment {
  const override = process.env._CONTAINERS_ROOTLESS_UID;
  // Go's Atoi failure leaves 0, as containers/image ignores the error
  const euid = override ? Number.parseInt(override, 10) || 0 : (process.geteuid?.() ?? -1);
  return { euid, home: process.env.HOME || homedir() };
}

// the namespaces that apply to `name`, most specific first, ending with default-docker
function matchingNamespaces(config: RegistriesConfig, name: RegistryImageName): SignatureStorageNamespace[] {
  const found: SignatureStorageNamespace[] = [];
  for (const key of [name.toString(), ...dockerPolicyNamespaces(name)]) {
    const ns = config.docker.get(key);
    if (ns !== undefined) found.push(ns);
  }
  if (config.defaultDocker !== undefined) found.push(config.defaultDocker);
  return found;
}

function lookasideBase(configured: string | undefined, environment: SignatureStorageEnvironment): URL {
  if (configured === undefined) return builtinLookasideBase(environment);
  try {
    return new URL(configured);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_POLICY', `invalid signature storage URL ${redactedText(configured)}`, {
      cause,
    });
  }
}

// containers/image appends "/" and the repository path (no host, tag or digest) to the URL's path as is
function withRepository(base: URL, name: RegistryImageName): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname}/${name.path}`;
  return url;
}

/** A URL for messages: without the user name and password it may carry. */
export function redactedUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function redactedText(text: string): string {
  return JSON.stringify(text.replace(/\/\/[^/@]*@/, '//…@'));
}
