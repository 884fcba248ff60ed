import type { Digest } from './digest.ts';

/**
 * A parsed Docker reference (`docker.io/library/busybox:latest`), as produced by `@ferry/reference`.
 * Defined here so that transports and the contract can name it without depending on the parser.
 */
export interface NamedReference {
  /** Registry host, with port if any, e.g. `docker.io`, `localhost:5000`. */
  readonly domain: string;
  /** Repository path within the registry, e.g. `library/busybox`. */
  readonly path: string;
  /** `domain/path`. */
  readonly name: string;
  /** The tag, if any. */
  readonly tag?: string;
  /** The digest, if any. */
  readonly digest?: Digest;
  /** The fully qualified text form, e.g. `docker.io/library/busybox:latest`. */
  toString(): string;
}
