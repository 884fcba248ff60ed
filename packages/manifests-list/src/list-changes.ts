import type { Descriptor } from '@ferry/manifest';

/**
 * Edits of one list instance, as `podman manifest annotate` makes them. A member left out changes nothing.
 *
 * - `os`, `architecture` and `osVersion` replace the field; `osVersion: ''` removes it.
 * - `variant` replaces the field (`''` removes it). Setting `architecture` without `variant` removes the
 *   variant, as podman does (`arm64` then `v8` are set together or the old variant would linger).
 * - `osFeatures` and `features` replace the whole list; an empty array removes it.
 * - `annotations` are merged into the instance's: a given key replaces the old value (an empty value is kept
 *   as an empty value, as podman does), other keys stay.
 * - `artifactType` replaces it; `''` removes it.
 * - `urls` replace the whole list; an empty array removes it.
 */
export interface InstanceChanges {
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
  readonly features?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly urls?: readonly string[];
}

/**
 * Edits of the list itself (OCI index members). A member left out changes nothing.
 *
 * - `annotations` are merged into the list's, as podman's `--index --annotation K=V` does.
 * - `subject` replaces the subject; `null` removes it.
 * - `artifactType` replaces it; `''` removes it.
 */
export interface ListChanges {
  readonly annotations?: Readonly<Record<string, string>>;
  readonly subject?: Descriptor | null;
  readonly artifactType?: string;
}
