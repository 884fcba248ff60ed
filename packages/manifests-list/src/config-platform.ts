import { ImageError } from '@ferry/types';
import type { ListPlatform } from './list-types.ts';

/**
 * Reads the platform of an image config: `os` and `architecture` (required, non-empty), `variant`,
 * `os.version` and `os.features`. Only these members are checked; the rest of the config is not validated.
 *
 * @throws {@link ImageError} `ERR_INVALID_IMAGE` naming `what` when the config is not a JSON object, lacks
 * its os or architecture, or has one of the fields of another type.
 * @example
 * ```ts
 * configPlatform(bytes, 'config sha256:… of oci:/srv/app'); // { os: 'linux', architecture: 'arm64', variant: 'v8' }
 * ```
 */
export function configPlatform(bytes: Uint8Array, what: string): ListPlatform {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} is not valid JSON`, { cause });
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what} is not a JSON object`);
  }
  const config = root as Record<string, unknown>;
  const os = stringField(config, 'os', what);
  const architecture = stringField(config, 'architecture', what);
  if (os === undefined || os === '' || architecture === undefined || architecture === '') {
    const missing = os === undefined || os === '' ? 'os' : 'architecture';
    throw new ImageError('ERR_INVALID_IMAGE', `${what} has no ${missing}, so the image's platform is unknown`);
  }
  const variant = stringField(config, 'variant', what);
  const osVersion = stringField(config, 'os.version', what);
  const osFeatures = stringListField(config, 'os.features', what);
  return {
    os,
    architecture,
    ...(variant === undefined || variant === '' ? {} : { variant }),
    ...(osVersion === undefined || osVersion === '' ? {} : { osVersion }),
    ...(osFeatures === undefined || osFeatures.length === 0 ? {} : { osFeatures }),
  };
}

function stringField(config: Record<string, unknown>, key: string, what: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ImageError('ERR_INVALID_IMAGE', `${what}: ${key} is not a string`);
  return value;
}

function stringListField(config: Record<string, unknown>, key: string, what: string): string[] | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ImageError('ERR_INVALID_IMAGE', `${what}: ${key} is not a list of strings`);
  }
  return value;
}
