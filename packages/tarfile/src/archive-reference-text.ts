import { parseNormalizedNamed, tagNameOnly } from '@ferry/reference';
import type { NamedReference } from '@ferry/types';
import { ImageError } from '@ferry/types';

/** The parts of a `docker-archive:` reference: `PATH`, `PATH:NAME:TAG` or `PATH:@N`. */
export interface ArchiveReferenceParts {
  /** The archive's path, as given (`-` is standard input when reading). */
  readonly path: string;
  /** The image's name and tag, or `undefined`. */
  readonly name: NamedReference | undefined;
  /** The zero-based position in `manifest.json` (sources only), or `undefined`. */
  readonly sourceIndex: number | undefined;
}

/**
 * Parses the text after `docker-archive:` as containers/image does: the path ends at the first colon; what
 * follows is `@N` or a reference that is normalized and tagged `latest` when it has no tag. A digest is
 * refused.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE`.
 * @example
 * ```ts
 * parseArchiveReferenceText('/tmp/a.tar:busybox'); // name docker.io/library/busybox:latest
 * ```
 */
export function parseArchiveReferenceText(text: string): ArchiveReferenceParts {
  if (text === '') throw invalid(text, 'it is empty: expected PATH[:NAME[:TAG]|:@N]');
  const colon = text.indexOf(':');
  const path = colon < 0 ? text : text.slice(0, colon);
  if (path === '') throw invalid(text, 'the path is empty');
  if (colon < 0) return { path, name: undefined, sourceIndex: undefined };
  const rest = text.slice(colon + 1);
  if (rest.startsWith('@')) {
    const digits = rest.slice(1);
    if (!/^\d+$/.test(digits) || !Number.isSafeInteger(Number(digits))) {
      throw invalid(text, `source index ${JSON.stringify(rest)} is not @ followed by a non-negative integer`);
    }
    return { path, name: undefined, sourceIndex: Number(digits) };
  }
  let named: NamedReference;
  try {
    named = tagNameOnly(parseNormalizedNamed(rest));
  } catch (cause) {
    throw invalid(text, `${JSON.stringify(rest)} is not a valid image name`, cause);
  }
  if (named.digest !== undefined) throw invalid(text, 'docker-archive does not support digest references');
  return { path, name: named, sourceIndex: undefined };
}

/**
 * The canonical text of a reference: `PATH`, `PATH:NAME:TAG` with the fully qualified name, or `PATH:@N`.
 * @example
 * ```ts
 * formatArchiveReferenceText({ path: 'a.tar', name: undefined, sourceIndex: 1 }); // 'a.tar:@1'
 * ```
 */
export function formatArchiveReferenceText(parts: ArchiveReferenceParts): string {
  if (parts.name !== undefined) return `${parts.path}:${parts.name.toString()}`;
  if (parts.sourceIndex !== undefined) return `${parts.path}:@${parts.sourceIndex}`;
  return parts.path;
}

function invalid(text: string, why: string, cause?: unknown): ImageError {
  return new ImageError(
    'ERR_INVALID_REFERENCE',
    `invalid docker-archive reference ${JSON.stringify(text)}: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}
