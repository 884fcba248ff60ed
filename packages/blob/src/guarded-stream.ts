import type { ByteStream } from '@ferry/types';

/**
 * Makes a single-use stream from a generator over `source`'s iterator, such that `return()` closes the
 * source even when called before the first `next()` (an unstarted async generator would skip its `finally`).
 * Once started, the generator itself is responsible for closing the source.
 */
export function guardedStream(
  source: ByteStream,
  run: (input: AsyncIterator<Uint8Array>) => AsyncGenerator<Uint8Array, void, undefined>,
): ByteStream {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const input = source[Symbol.asyncIterator]();
      const generator = run(input);
      let started = false;
      return {
        next(): Promise<IteratorResult<Uint8Array, void>> {
          started = true;
          return generator.next();
        },
        async return(): Promise<IteratorResult<Uint8Array, void>> {
          if (!started) {
            started = true;
            await input.return?.();
          }
          return generator.return(undefined);
        },
      };
    },
  };
}
