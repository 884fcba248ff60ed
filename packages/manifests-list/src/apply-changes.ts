import type { Descriptor } from '@ferry/manifest';
import { ImageError } from '@ferry/types';
import { canonicalInstance } from './instance-value.ts';
import type { InstanceChanges, ListChanges } from './list-changes.ts';
import type { ListState } from './list-parse.ts';
import type { ListInstance, ListPlatform } from './list-types.ts';

const PLATFORM_KEYS = ['os', 'architecture', 'variant', 'osVersion', 'osFeatures', 'features'] as const;

/**
 * Applies `changes` to `instance` with `podman manifest annotate`'s semantics (see {@link InstanceChanges}).
 *
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when the result would have a platform without an os or an
 * architecture (e.g. only `os` given for an instance that has no platform).
 */
export function applyInstanceChanges(instance: ListInstance, changes: InstanceChanges): ListInstance {
  const platform = changedPlatform(instance, changes);
  const annotations =
    changes.annotations === undefined ? instance.annotations : { ...instance.annotations, ...changes.annotations };
  const { platform: _p, annotations: _a, artifactType: _t, urls: _u, ...base } = instance;
  const artifactType = changes.artifactType ?? instance.artifactType;
  const urls = changes.urls ?? instance.urls;
  return canonicalInstance({
    ...base,
    ...(platform === undefined ? {} : { platform }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(urls === undefined ? {} : { urls }),
  });
}

function changedPlatform(instance: ListInstance, changes: InstanceChanges): ListPlatform | undefined {
  const old = instance.platform;
  if (!PLATFORM_KEYS.some((k) => changes[k] !== undefined)) return old;
  const os = changes.os ?? old?.os ?? '';
  const architecture = changes.architecture ?? old?.architecture ?? '';
  if (os === '' || architecture === '') {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `instance ${instance.digest}: a platform needs both os and architecture (has ${JSON.stringify(os)}/${JSON.stringify(architecture)})`,
    );
  }
  // podman sets the variant whenever the architecture is set, so an old variant never outlives its architecture
  const variant = changes.variant ?? (changes.architecture === undefined ? old?.variant : undefined);
  const osVersion = changes.osVersion ?? old?.osVersion;
  const osFeatures = changes.osFeatures ?? old?.osFeatures;
  const features = changes.features ?? old?.features;
  return {
    os,
    architecture,
    ...(variant === undefined ? {} : { variant }),
    ...(osVersion === undefined ? {} : { osVersion }),
    ...(osFeatures === undefined ? {} : { osFeatures }),
    ...(features === undefined ? {} : { features }),
  };
}

/** Applies `changes` to the list's own members (see {@link ListChanges}). */
export function applyListChanges(state: ListState, changes: ListChanges): ListState {
  const annotations =
    changes.annotations === undefined ? state.annotations : { ...state.annotations, ...changes.annotations };
  let subject: Descriptor | undefined = state.subject;
  if (changes.subject === null) subject = undefined;
  else if (changes.subject !== undefined) subject = changes.subject;
  let artifactType = state.artifactType;
  if (changes.artifactType !== undefined) artifactType = changes.artifactType === '' ? undefined : changes.artifactType;
  return { ...state, annotations, subject, artifactType };
}
