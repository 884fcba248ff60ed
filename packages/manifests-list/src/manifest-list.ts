import { type Descriptor, DOCKER_V2_LIST_MEDIA_TYPE, formatPlatform, OCI_INDEX_MEDIA_TYPE } from '@ferry/manifest';
import { type Digest, ImageError } from '@ferry/types';
import { applyInstanceChanges, applyListChanges } from './apply-changes.ts';
import { canonicalInstance, frozenList, frozenMap } from './instance-value.ts';
import type { InstanceChanges, ListChanges } from './list-changes.ts';
import { type ListState, parseListState } from './list-parse.ts';
import { type SerializedList, serializeList } from './list-serialize.ts';
import type { ListFormat, ListInstance } from './list-types.ts';
import { samePlatform } from './platform-equality.ts';

/**
 * A Docker manifest list or OCI image index as an immutable value: every edit returns a new one. It holds
 * everything either format can (so a Docker list can take annotations and be written as an OCI index), and
 * refuses to write as a Docker list what that format cannot hold. Parsing keeps the fields modelled here;
 * unknown members of the input and an entry's `data` are dropped. Instances keep their order; a new one is
 * appended.
 *
 * @example
 * ```ts
 * const list = ManifestList.empty()
 *   .add({ digest: amd64Digest, size: 528, mediaType: OCI_MANIFEST_MEDIA_TYPE, platform: { os: 'linux', architecture: 'amd64' } })
 *   .annotateList({ annotations: { 'org.opencontainers.image.source': 'https://example.com/app' } });
 * const { bytes, mediaType, digest } = list.serialize('oci');
 * ```
 */
export class ManifestList {
  /** The media type the list was parsed from; an OCI index for a new list. */
  readonly mediaType: string;
  /** The instances, in list order. */
  readonly instances: readonly ListInstance[];
  /** The list's own annotations (an OCI index member); empty when there are none. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The list's subject (an OCI index member). */
  readonly subject: Descriptor | undefined;
  /** The list's artifact type (an OCI index member). */
  readonly artifactType: string | undefined;

  /** The format the list was parsed in (`v2s2` for a Docker manifest list, else `oci`), derived from `mediaType`. */
  get format(): ListFormat {
    return this.mediaType === DOCKER_V2_LIST_MEDIA_TYPE ? 'v2s2' : 'oci';
  }

  private constructor(state: ListState) {
    this.mediaType = state.mediaType;
    this.instances = Object.freeze(state.instances.map(canonicalInstance));
    this.annotations = frozenMap(state.annotations) ?? Object.freeze({});
    this.subject = state.subject === undefined ? undefined : frozenDescriptor(state.subject);
    this.artifactType = state.artifactType === '' ? undefined : state.artifactType;
    Object.freeze(this);
  }

  /**
   * A new list with no instances, to be written as an OCI index unless asked otherwise.
   *
   * @example
   * ```ts
   * const list = ManifestList.empty(); // list.instances.length === 0
   * ```
   */
  static empty(): ManifestList {
    return new ManifestList({
      mediaType: OCI_INDEX_MEDIA_TYPE,
      instances: [],
      annotations: {},
      subject: undefined,
      artifactType: undefined,
    });
  }

  /**
   * Parses a Docker manifest list or an OCI index, validated by @ferry/manifest's `parseManifest`.
   * `mediaType` is the out-of-band type; without it the type is guessed from the content. A list with two
   * instances for one platform is accepted as it is (only edits are checked).
   *
   * @throws {@link ImageError} `ERR_INVALID_MANIFEST` for a single-image manifest or an invalid document,
   * `ERR_UNSUPPORTED_MEDIA_TYPE`, `ERR_INVALID_DIGEST` or `ERR_TOO_LARGE` as `parseManifest` reports them.
   * @example
   * ```ts
   * const list = ManifestList.parse(bytes, 'application/vnd.docker.distribution.manifest.list.v2+json');
   * ```
   */
  static parse(bytes: Uint8Array, mediaType?: string): ManifestList {
    return new ManifestList(parseListState(bytes, mediaType));
  }

  /**
   * The instance with `digest`.
   *
   * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` naming the digest when the list has no such instance.
   * @example
   * ```ts
   * console.log(list.instance(digest).platform?.architecture);
   * ```
   */
  instance(digest: Digest): ListInstance {
    const found = this.instances.find((i) => i.digest === digest);
    if (found === undefined) throw unknownInstance(digest);
    return found;
  }

  /**
   * A list with `instance` added at the end, or replacing the instance with the same digest in place.
   *
   * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` ("duplicate platform") when another instance has an
   * equal platform (see {@link samePlatform}), or for an invalid size, media type or platform.
   * @example
   * ```ts
   * const next = list.add(await describeImage(source, undefined));
   * ```
   */
  add(instance: ListInstance): ManifestList {
    const added = canonicalInstance(instance);
    this.#checkPlatform(added);
    const at = this.instances.findIndex((i) => i.digest === added.digest);
    const instances = at === -1 ? [...this.instances, added] : this.instances.with(at, added);
    return new ManifestList({ ...this.#state(), instances });
  }

  /**
   * A list without the instance `digest`.
   *
   * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` naming the digest.
   * @example
   * ```ts
   * const next = list.remove(digest);
   * ```
   */
  remove(digest: Digest): ManifestList {
    this.instance(digest);
    return new ManifestList({ ...this.#state(), instances: this.instances.filter((i) => i.digest !== digest) });
  }

  /**
   * A list with the instance `digest` edited as `podman manifest annotate` does (see {@link InstanceChanges}:
   * platform fields replace, `features`/`osFeatures` replace the list, annotations merge).
   *
   * @throws {@link ImageError} `ERR_MANIFEST_UNKNOWN` naming the digest; `ERR_INVALID_ARGUMENT` when the new
   * platform equals another instance's ("duplicate platform") or lacks an os or architecture.
   * @example
   * ```ts
   * const next = list.annotate(digest, { variant: 'v7', annotations: { 'org.example.tier': 'edge' } });
   * ```
   */
  annotate(digest: Digest, changes: InstanceChanges): ManifestList {
    const changed = applyInstanceChanges(this.instance(digest), changes);
    this.#checkPlatform(changed);
    const instances = this.instances.map((i) => (i.digest === digest ? changed : i));
    return new ManifestList({ ...this.#state(), instances });
  }

  /**
   * A list with its own members edited (see {@link ListChanges}: annotations merge, `subject` and
   * `artifactType` replace).
   *
   * @example
   * ```ts
   * const next = list.annotateList({ annotations: { 'org.opencontainers.image.version': '1.2' } });
   * ```
   */
  annotateList(changes: ListChanges): ManifestList {
    return new ManifestList(applyListChanges(this.#state(), changes));
  }

  /**
   * Writes the list as an OCI index (`oci`) or a Docker manifest list (`v2s2`), compact and in Go's field
   * order as containers/image writes it, so equal values give equal bytes and digests. The bytes of a parsed
   * list are not kept: whoever needs them keeps them. An OCI index leaves out platform `features`.
   *
   * @throws {@link ImageError} `ERR_MANIFEST_CONVERSION` for `v2s2`, naming the field (and the instance), when
   * the list has annotations, a subject or an artifact type, or an instance has annotations, an artifact type,
   * no platform, or a media type other than a Docker or OCI image manifest.
   * @example
   * ```ts
   * const { bytes, mediaType, digest } = list.serialize('v2s2');
   * ```
   */
  serialize(format: ListFormat): SerializedList {
    return serializeList(this.#state(), format);
  }

  #state(): ListState {
    const { mediaType, instances, annotations, subject, artifactType } = this;
    return { mediaType, instances, annotations, subject, artifactType };
  }

  #checkPlatform(candidate: ListInstance): void {
    const other = this.instances.find(
      (i) => i.digest !== candidate.digest && samePlatform(i.platform, candidate.platform),
    );
    if (other === undefined) return;
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `duplicate platform ${formatPlatform(candidate.platform ?? {})}: instance ${candidate.digest} has the platform of ${other.digest}`,
    );
  }
}

function unknownInstance(digest: Digest): ImageError {
  return new ImageError('ERR_MANIFEST_UNKNOWN', `the list has no instance ${digest}`);
}

function frozenDescriptor(d: Descriptor): Descriptor {
  const urls = frozenList(d.urls);
  const annotations = frozenMap(d.annotations);
  const { urls: _u, annotations: _a, ...rest } = d;
  return Object.freeze({
    ...rest,
    ...(urls === undefined ? {} : { urls }),
    ...(annotations === undefined ? {} : { annotations }),
  });
}
