import { access, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CallOptions } from '@ferry/types';
import { ImageError } from '@ferry/types';

/** The signature storage settings of one namespace of a `registries.d` file (empty strings mean unset). */
export interface SignatureStorageNamespace {
  /** `lookaside` (or the older `sigstore`): where signatures are read, and written when no staging is set. */
  readonly lookaside?: string;
  /** `lookaside-staging` (or the older `sigstore-staging`): where signatures are written. */
  readonly lookasideStaging?: string;
  /** `use-sigstore-attachments`: read and write sigstore signatures as attachments in the registry. */
  readonly useSigstoreAttachments?: boolean;
}

/** The merged `registries.d` configuration: the `default-docker` namespace and the `docker` namespaces. */
export interface RegistriesConfig {
  readonly defaultDocker?: SignatureStorageNamespace;
  /** Keyed by namespace: `host[:port][/repo…][:tag|@digest]` or `*.domain`, as in a signature policy. */
  readonly docker: ReadonlyMap<string, SignatureStorageNamespace>;
}

/** Options of {@link loadRegistriesConfig}. */
export interface LoadRegistriesConfigOptions extends CallOptions {
  /**
   * The directory to read (skopeo's `--registries.d`).
   * @default `~/.config/containers/registries.d` when it exists, else `/etc/containers/registries.d`
   */
  readonly registriesDir?: string;
}

/**
 * The `registries.d` directory to read, as containers/image picks it: the given one, else the user's
 * `~/.config/containers/registries.d` when it exists, else `/etc/containers/registries.d`.
 */
export async function registriesDirPath(registriesDir?: string): Promise<string> {
  if (registriesDir !== undefined && registriesDir !== '') return registriesDir;
  const user = join(process.env.HOME || homedir(), '.config/containers/registries.d');
  try {
    await access(user);
    return user;
  } catch {
    return '/etc/containers/registries.d';
  }
}

/**
 * Loads and merges every `*.yaml` file of a `registries.d` directory, as containers/image does: a missing
 * directory is an empty configuration; unknown keys are ignored (key names match case-insensitively, as
 * Go's JSON decoding does); `default-docker`, or one `docker` namespace, defined in two files is an error.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` naming the file(s); `ERR_IO` when the directory cannot
 * be read.
 * @example
 * ```ts
 * const config = await loadRegistriesConfig({ registriesDir: '/etc/containers/registries.d' });
 * console.log(config.docker.get('quay.io')?.lookaside);
 * ```
 */
export async function loadRegistriesConfig(options: LoadRegistriesConfigOptions = {}): Promise<RegistriesConfig> {
  const dir = await registriesDirPath(options.registriesDir);
  const signal = options.signal;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ENOENT') return { docker: new Map() };
    throw new ImageError('ERR_IO', `reading the registries.d directory ${dir}`, { cause });
  }
  let defaultDocker: SignatureStorageNamespace | undefined;
  let defaultFrom = '';
  const docker = new Map<string, SignatureStorageNamespace>();
  const from = new Map<string, string>();
  let yaml: YamlParse | undefined;
  // containers/image takes directory order; sorted names make "defined both in A and B" stable
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    signal?.throwIfAborted();
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const code = (cause as { code?: unknown }).code;
      // removed between the listing and the read, or a directory named *.yaml
      if (code === 'ENOENT') continue;
      throw new ImageError('ERR_IO', `reading ${path}`, { cause });
    }
    yaml ??= await loadYaml();
    const file = parseRegistriesText(text, path, yaml);
    if (file.defaultDocker !== undefined) {
      if (defaultDocker !== undefined) {
        throw new ImageError(
          'ERR_INVALID_POLICY',
          `signature storage configuration: "default-docker" defined both in ${JSON.stringify(defaultFrom)} and ${JSON.stringify(path)}`,
        );
      }
      defaultDocker = file.defaultDocker;
      defaultFrom = path;
    }
    for (const [namespace, settings] of file.docker) {
      const earlier = from.get(namespace);
      if (earlier !== undefined) {
        throw new ImageError(
          'ERR_INVALID_POLICY',
          `signature storage configuration: "docker" namespace ${JSON.stringify(namespace)} defined both in ${JSON.stringify(earlier)} and ${JSON.stringify(path)}`,
        );
      }
      docker.set(namespace, settings);
      from.set(namespace, path);
    }
  }
  return defaultDocker === undefined ? { docker } : { defaultDocker, docker };
}

/**
 * Parses one `registries.d` file. `path` only names the file in errors.
 * @throws {@link ImageError} `ERR_INVALID_POLICY`.
 * @example
 * ```ts
 * const config = await parseRegistriesFile('docker:\n  quay.io:\n    use-sigstore-attachments: true\n', 'q.yaml');
 * ```
 */
export async function parseRegistriesFile(text: string, path: string): Promise<RegistriesConfig> {
  return parseRegistriesText(text, path, await loadYaml());
}

type YamlParse = (text: string) => unknown;

// the YAML parser is loaded only where a registries.d file exists: most copies never read one, and loading
// it ran ~70 bundled modules at every start (about 10 ms of a 150 ms local copy)
async function loadYaml(): Promise<YamlParse> {
  const { parse } = await import('yaml');
  // YAML 1.1, as Go's yaml.v2 reads it (`yes`/`on` are booleans)
  return (text) => parse(text, { version: '1.1' });
}

function parseRegistriesText(text: string, path: string, parseYaml: YamlParse): RegistriesConfig {
  let root: unknown;
  try {
    root = parseYaml(text);
  } catch (cause) {
    throw invalid(path, `not valid YAML: ${(cause as Error).message}`, cause);
  }
  if (root === null || root === undefined) return { docker: new Map() };
  const top = asMapping(root, path, 'the document');
  let defaultDocker: SignatureStorageNamespace | undefined;
  const docker = new Map<string, SignatureStorageNamespace>();
  for (const [key, value] of Object.entries(top)) {
    const lower = key.toLowerCase();
    if (lower === 'default-docker') {
      defaultDocker = value === null ? undefined : parseNamespace(value, path, '"default-docker"');
    } else if (lower === 'docker') {
      // Go's JSON decoding merges a repeated map key (`docker` and `Docker`) into one map
      if (value === null) continue;
      for (const [namespace, settings] of Object.entries(asMapping(value, path, '"docker"'))) {
        docker.set(namespace, settings === null ? {} : parseNamespace(settings, path, `namespace ${namespace}`));
      }
    }
  }
  return defaultDocker === undefined ? { docker } : { defaultDocker, docker };
}

type Field = 'lookaside' | 'lookasideStaging' | 'sigstore' | 'sigstoreStaging';
const STRING_KEYS: Readonly<Record<string, Field>> = {
  lookaside: 'lookaside',
  'lookaside-staging': 'lookasideStaging',
  sigstore: 'sigstore',
  'sigstore-staging': 'sigstoreStaging',
};

function parseNamespace(value: unknown, path: string, what: string): SignatureStorageNamespace {
  const strings: Partial<Record<Field, string>> = {};
  let attachments: boolean | undefined;
  for (const [key, field] of Object.entries(asMapping(value, path, what))) {
    const lower = key.toLowerCase();
    const name = STRING_KEYS[lower];
    if (name !== undefined) {
      if (field === null) continue;
      // Go's YAML-to-JSON step turns a number or boolean meant for a string field into its text
      if (typeof field !== 'string' && typeof field !== 'number' && typeof field !== 'boolean') {
        throw invalid(path, `${what}: "${key}" must be a string`);
      }
      strings[name] = String(field);
    } else if (lower === 'use-sigstore-attachments') {
      if (field === null) continue;
      if (typeof field !== 'boolean') throw invalid(path, `${what}: "${key}" must be true or false`);
      attachments = field;
    }
  }
  // the older names count only where the newer ones are unset, as containers/image looks them up
  const lookaside = strings.lookaside || strings.sigstore || '';
  const staging = strings.lookasideStaging || strings.sigstoreStaging || '';
  return {
    ...(lookaside === '' ? {} : { lookaside }),
    ...(staging === '' ? {} : { lookasideStaging: staging }),
    ...(attachments === undefined ? {} : { useSigstoreAttachments: attachments }),
  };
}

function asMapping(value: unknown, path: string, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Map) {
    throw invalid(path, `${what} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function invalid(path: string, message: string, cause?: unknown): ImageError {
  return new ImageError(
    'ERR_INVALID_POLICY',
    `parsing ${path}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}
