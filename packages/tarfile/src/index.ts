/**
 * `docker save` archives: a random-access reader (no extraction), a writer of one or several images, and the
 * `docker-archive:` transport.
 *
 * @packageDocumentation
 */

export { type ArchiveManifestItem, parseArchiveManifest } from './archive-manifest.ts';
export {
  type ArchiveReferenceParts,
  formatArchiveReferenceText,
  parseArchiveReferenceText,
} from './archive-reference-text.ts';
export type { ImageSelector } from './choose-image.ts';
export { DockerArchiveReader, type OpenDockerArchiveOptions, openDockerArchive } from './docker-archive-reader.ts';
export { type DockerArchiveReference, dockerArchiveTransport } from './docker-archive-transport.ts';
export {
  DockerArchiveWriter,
  type OpenDockerArchiveWriterOptions,
  openDockerArchiveWriter,
  type StageOptions,
} from './docker-archive-writer.ts';
