import { digestBytes } from '@ferry/blob';
import type { Digest } from '@ferry/types';
import {
  asObject,
  digestAt,
  invalid,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  requiredArray,
  requiredString,
} from './json-fields.ts';
import { parseJsonObject } from './parse-json.ts';

/** One `history` entry of an image config. */
export interface ConfigHistoryEntry {
  readonly created?: string;
  readonly createdBy?: string;
  readonly author?: string;
  readonly comment?: string;
  /** The step produced no layer, so it has no `diff_ids` entry. */
  readonly emptyLayer: boolean;
}

/** The runtime settings (`config`) of an image config, the members Ferry reads. */
export interface ContainerConfig {
  readonly user?: string;
  readonly env?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly stopSignal?: string;
}

/** A parsed OCI or Docker image config. `json` holds the whole document for members not modelled here. */
export interface ImageConfig {
  readonly bytes: Uint8Array;
  readonly digest: Digest;
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
  readonly created?: string;
  readonly author?: string;
  /** `rootfs.diff_ids`: the digests of the uncompressed layers, base first. */
  readonly diffIds: readonly Digest[];
  readonly history: readonly ConfigHistoryEntry[];
  readonly config?: ContainerConfig;
  readonly json: Readonly<Record<string, unknown>>;
}

/**
 * Parses and validates an OCI or Docker image config: `architecture` and `os` are required strings,
 * `rootfs` must be `{ type: 'layers', diff_ids: [digest…] }`, `history` and `config` are checked for shape.
 *
 * @throws {@link ImageError} `ERR_INVALID_MANIFEST` or `ERR_INVALID_DIGEST` naming the field, `ERR_TOO_LARGE`.
 * @example
 * ```ts
 * const config = parseImageConfig(configBytes);
 * console.log(config.os, config.architecture, config.diffIds.length);
 * ```
 */
export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  const root = parseJsonObject(bytes, 'image config');
  const architecture = requiredString(root, 'architecture', '');
  const os = requiredString(root, 'os', '');
  const variant = optionalString(root, 'variant', '');
  const osVersion = optionalString(root, 'os.version', '');
  const osFeatures = optionalStringArray(root, 'os.features', '');
  const created = optionalString(root, 'created', '');
  const author = optionalString(root, 'author', '');
  const rootfs = asObject(root.rootfs, 'rootfs');
  const type = requiredString(rootfs, 'type', 'rootfs');
  if (type !== 'layers') invalid('rootfs.type', `expected "layers", got ${JSON.stringify(type)}`);
  const diffIds = requiredArray(rootfs, 'diff_ids', 'rootfs').map((item, i) => {
    if (typeof item !== 'string') invalid(`rootfs.diff_ids[${i}]`, 'expected a digest string');
    return digestAt(item, `rootfs.diff_ids[${i}]`);
  });
  const history = (optionalArray(root, 'history', '') ?? []).map((item, i) => parseHistory(item, `history[${i}]`));
  const config = root.config === undefined || root.config === null ? undefined : parseContainerConfig(root.config);
  return Object.freeze({
    bytes,
    digest: digestBytes(bytes),
    architecture,
    os,
    ...(variant === undefined || variant === '' ? {} : { variant }),
    ...(osVersion === undefined || osVersion === '' ? {} : { osVersion }),
    ...(osFeatures === undefined ? {} : { osFeatures }),
    ...(created === undefined ? {} : { created }),
    ...(author === undefined ? {} : { author }),
    diffIds: Object.freeze(diffIds),
    history: Object.freeze(history),
    ...(config === undefined ? {} : { config }),
    json: root,
  });
}

function parseHistory(value: unknown, path: string): ConfigHistoryEntry {
  const obj = asObject(value, path);
  const created = optionalString(obj, 'created', path);
  const createdBy = optionalString(obj, 'created_by', path);
  const author = optionalString(obj, 'author', path);
  const comment = optionalString(obj, 'comment', path);
  return Object.freeze({
    ...(created === undefined ? {} : { created }),
    ...(createdBy === undefined ? {} : { createdBy }),
    ...(author === undefined ? {} : { author }),
    ...(comment === undefined ? {} : { comment }),
    emptyLayer: optionalBoolean(obj, 'empty_layer', path) ?? false,
  });
}

function parseContainerConfig(value: unknown): ContainerConfig {
  const obj: JsonObject = asObject(value, 'config');
  const fields = {
    user: optionalString(obj, 'User', 'config'),
    env: optionalStringArray(obj, 'Env', 'config'),
    entrypoint: optionalStringArray(obj, 'Entrypoint', 'config'),
    cmd: optionalStringArray(obj, 'Cmd', 'config'),
    workingDir: optionalString(obj, 'WorkingDir', 'config'),
    labels: optionalStringMap(obj, 'Labels', 'config'),
    stopSignal: optionalString(obj, 'StopSignal', 'config'),
  };
  const present = Object.entries(fields).filter(([, v]) => v !== undefined);
  return Object.freeze(Object.fromEntries(present) as ContainerConfig);
}
