/**
 * Tar archives for container images: a one-pass index with random access to members, safe member names,
 * spooling of non-seekable input, and a deterministic streaming writer.
 *
 * @packageDocumentation
 */
export { indexTarFile } from './index-tar-file.ts';
export { safeMemberPath } from './member-path.ts';
export { MAX_LINK_HOPS } from './resolve-member.ts';
export { type SpoolTarOptions, spoolTar } from './spool.ts';
export { type OpenMemberOptions, TarArchive, type TarArchiveInit } from './tar-archive.ts';
export type { TarEntry, TarEntryType } from './tar-entry.ts';
export type { TarSinkTarget } from './tar-sink.ts';
export { createTarWriter, type TarWriter, type TarWriterOptions } from './tar-writer.ts';
