/**
 * The kind of a tar member. Types other than regular files, links and directories (devices, FIFOs, GNU
 * sparse or volume headers, …) are `'other'`: listed, never served as files.
 */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

/** One member of an indexed tar archive, after pax and GNU long-name headers were applied. */
export interface TarEntry {
  /** The normalized name (`./a//b/` → `a/b`; the root directory is `.`). */
  readonly name: string;
  readonly type: TarEntryType;
  /** The type flag as written in the header (`'0'`, `'5'`, `'3'`, `'S'`, …). */
  readonly typeflag: string;
  /** The number of data bytes; always 0 for links, directories, devices and FIFOs. */
  readonly size: number;
  /** The byte offset of the member's data within the archive file. */
  readonly dataOffset: number;
  /** The byte offset of the member's first header (its pax or GNU long-name header, if any). */
  readonly headerOffset: number;
  /** The link target, as written, for hard links and symlinks. */
  readonly linkName?: string;
  /** Permission bits (and set-id/sticky bits) as written. */
  readonly mode: number;
  /** Modification time in whole seconds since the epoch. */
  readonly mtime: number;
}
