import { ImageError } from '@ferry/types';

/** The parts of an `oci:` reference: `PATH[:NAME]` or `PATH:@N`. */
export interface OciReferenceParts {
  /** The layout directory, as given. */
  readonly dir: string;
  /** The reference name (`org.opencontainers.image.ref.name`), or `undefined` for none. */
  readonly name: string | undefined;
  /** A zero-based position in `index.json` (sources only), or `undefined`. */
  readonly sourceIndex: number | undefined;
}

// containers/image's oci/internal grammar for reference names (annotations.md pre-defined keys)
const SEPARATOR = '(?:[-._:@+]|--)';
const ALPHANUM = '(?:[A-Za-z0-9]+)';
const COMPONENT = `(?:${ALPHANUM}(?:${SEPARATOR}${ALPHANUM})*)`;
const REF_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/**
 * Parses the text after `oci:` as current containers/image does on Unix: the path ends at the first `:`
 * (so a path cannot contain one), the rest is a reference name or `@N`.
 *
 * @throws {@link ImageError} `ERR_INVALID_REFERENCE` naming what is wrong.
 * @example
 * ```ts
 * parseOciReferenceText('/srv/layout:v1'); // { dir: '/srv/layout', name: 'v1', sourceIndex: undefined }
 * ```
 */
export function parseOciReferenceText(text: string): OciReferenceParts {
  const colon = text.indexOf(':');
  const dir = colon === -1 ? text : text.slice(0, colon);
  const rest = colon === -1 ? '' : text.slice(colon + 1);
  if (dir === '') throw invalid(text, 'the layout path is empty');
  if (rest.startsWith('@')) {
    const digits = rest.slice(1);
    if (!/^\d+$/.test(digits)) throw invalid(text, `source index @${digits} is not a non-negative integer`);
    const sourceIndex = Number(digits);
    if (!Number.isSafeInteger(sourceIndex)) throw invalid(text, `source index @${digits} is too large`);
    return { dir, name: undefined, sourceIndex };
  }
  if (rest !== '' && !REF_NAME.test(rest)) throw invalid(text, `${JSON.stringify(rest)} is not a valid reference name`);
  return { dir, name: rest === '' ? undefined : rest, sourceIndex: undefined };
}

/** The canonical text of parsed parts: `PATH:NAME`, `PATH:` or `PATH:@N`, as containers/image prints it. */
export function formatOciReferenceText(parts: OciReferenceParts): string {
  return parts.sourceIndex === undefined ? `${parts.dir}:${parts.name ?? ''}` : `${parts.dir}:@${parts.sourceIndex}`;
}

function invalid(text: string, detail: string): ImageError {
  return new ImageError('ERR_INVALID_REFERENCE', `invalid oci: reference ${JSON.stringify(text)}: ${detail}`);
}
