import type { Platform } from '@ferry/types';
import {
  asObject,
  invalid,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  requiredDigest,
  requiredSize,
  requiredString,
} from './json-fields.ts';
import type { Descriptor, ListEntry } from './manifest-types.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses a descriptor at `path` (e.g. `layers[2]`): `mediaType`, `digest` and `size` are required; `urls`,
 * `annotations`, and in OCI documents `artifactType` and `data`, are checked when present.
 */
export function parseDescriptor(value: unknown, path: string): Descriptor {
  const obj = asObject(value, path);
  const mediaType = requiredString(obj, 'mediaType', path);
  if (mediaType === '') invalid(`${path}.mediaType`, 'must not be empty');
  const digest = requiredDigest(obj, 'digest', path);
  const size = requiredSize(obj, 'size', path);
  const urls = optionalStringArray(obj, 'urls', path);
  const annotations = optionalStringMap(obj, 'annotations', path);
  const artifactType = optionalString(obj, 'artifactType', path);
  const data = optionalString(obj, 'data', path);
  if (data !== undefined && (!BASE64.test(data) || data.length % 4 !== 0)) {
    invalid(`${path}.data`, 'not valid base64');
  }
  return Object.freeze({
    mediaType,
    digest,
    size,
    ...(urls === undefined ? {} : { urls }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(data === undefined ? {} : { data }),
  });
}

/** Parses an entry of a manifest list or index: a descriptor with an optional `platform`. */
export function parseListEntry(value: unknown, path: string): ListEntry {
  const descriptor = parseDescriptor(value, path);
  const raw = asObject(value, path).platform;
  if (raw === undefined || raw === null) return descriptor;
  return Object.freeze({ ...descriptor, platform: parsePlatform(raw, `${path}.platform`) });
}

/** Parses a `platform` object: `os` and `architecture` are required. */
export function parsePlatform(value: unknown, path: string): Platform {
  const obj = asObject(value, path);
  const os = requiredString(obj, 'os', path);
  const architecture = requiredString(obj, 'architecture', path);
  if (os === '') invalid(`${path}.os`, 'must not be empty');
  if (architecture === '') invalid(`${path}.architecture`, 'must not be empty');
  const variant = optionalString(obj, 'variant', path);
  const osVersion = optionalString(obj, 'os.version', path);
  const osFeatures = optionalStringArray(obj, 'os.features', path);
  // Docker lists also carry `features`; it is checked for shape and otherwise ignored
  optionalStringArray(obj, 'features', path);
  return Object.freeze({
    os,
    architecture,
    ...(variant === undefined || variant === '' ? {} : { variant }),
    ...(osVersion === undefined || osVersion === '' ? {} : { osVersion }),
    ...(osFeatures === undefined ? {} : { osFeatures }),
  });
}
