/**
 * OCI image layout engine (umoci's `cas` semantics, locking, GC) and the `oci:` transport.
 *
 * @packageDocumentation
 */
export { withEntry } from './index-entries.ts';
export {
  emptyIndex,
  type IndexEntry,
  type LayoutIndex,
  parseLayoutIndex,
  refNameOf,
  serializeLayoutIndex,
} from './layout-index.ts';
export {
  BLOBS_DIR,
  IMAGE_LAYOUT_VERSION,
  INDEX_FILE,
  INDEX_LOCK_FILE,
  OCI_LAYOUT_FILE,
  REF_NAME_ANNOTATION,
} from './layout-paths.ts';
export { openOciArchiveDestination } from './oci-archive-destination.ts';
export { openOciArchiveSource } from './oci-archive-source.ts';
export {
  type OciArchiveReference,
  type OciArchiveReferenceParts,
  ociArchiveTransport,
  parseOciArchiveReferenceText,
} from './oci-archive-transport.ts';
export { openOciDestination } from './oci-destination.ts';
export { openLayout } from './oci-layout.ts';
export type {
  GcOptions,
  GcResult,
  IndexMutator,
  LayoutBlobStream,
  LayoutGetBlobOptions,
  LayoutPutBlobOptions,
  OciLayout,
  OpenLayoutOptions,
  PutReferenceOptions,
} from './oci-layout-types.ts';
export { formatOciReferenceText, type OciReferenceParts, parseOciReferenceText } from './oci-reference-text.ts';
export { openOciSource } from './oci-source.ts';
export { type OciReference, ociTransport } from './oci-transport.ts';
export type { PublishedBlob } from './publish-blob.ts';
export { type ResolvedEntry, resolveEntry } from './resolve-entry.ts';
