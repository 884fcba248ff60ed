import { ImageError } from '@ferry/types';
import type { ListInstance, ListPlatform } from './list-types.ts';

/**
 * A frozen copy of `instance` in canonical form: empty strings, lists and maps are left out (as Go's
 * `omitempty` would write them), so two equal instances compare equal field by field.
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` for a negative or fractional size, an empty media type,
 * or a platform with an empty os or architecture.
 */
export function canonicalInstance(instance: ListInstance): ListInstance {
  const { digest, size, mediaType } = instance;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `instance ${digest}: size ${size} is not a non-negative integer`);
  }
  if (mediaType === '') throw new ImageError('ERR_INVALID_ARGUMENT', `instance ${digest}: empty media type`);
  const platform = instance.platform === undefined ? undefined : canonicalPlatform(instance.platform, digest);
  const annotations = frozenMap(instance.annotations);
  const urls = frozenList(instance.urls);
  return Object.freeze({
    digest,
    size,
    mediaType,
    ...(platform === undefined ? {} : { platform }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(instance.artifactType === undefined || instance.artifactType === ''
      ? {}
      : { artifactType: instance.artifactType }),
    ...(urls === undefined ? {} : { urls }),
  });
}

/** A frozen copy of `platform` without empty members. */
export function canonicalPlatform(platform: ListPlatform, digest: string): ListPlatform {
  const { os, architecture, variant, osVersion } = platform;
  if (os === '' || architecture === '') {
    throw new ImageError('ERR_INVALID_ARGUMENT', `instance ${digest}: a platform needs both os and architecture`);
  }
  const osFeatures = frozenList(platform.osFeatures);
  const features = frozenList(platform.features);
  return Object.freeze({
    os,
    architecture,
    ...(variant === undefined || variant === '' ? {} : { variant }),
    ...(osVersion === undefined || osVersion === '' ? {} : { osVersion }),
    ...(osFeatures === undefined ? {} : { osFeatures }),
    ...(features === undefined ? {} : { features }),
  });
}

/** A frozen copy of a string list, or `undefined` when it is empty. */
export function frozenList(list: readonly string[] | undefined): readonly string[] | undefined {
  return list === undefined || list.length === 0 ? undefined : Object.freeze([...list]);
}

/** A frozen copy of a string map, or `undefined` when it is empty. */
export function frozenMap(
  map: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (map === undefined || Object.keys(map).length === 0) return undefined;
  return Object.freeze({ ...map });
}
