import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ImageError, isImageError } from '@ferry/types';

/** Where a tar writer's bytes go: a Node `Writable`, or a `FileHandle` written at its current position. */
export type TarSinkTarget = Writable | FileHandle;

/** Sequential writes with backpressure, and an end. */
export interface TarSink {
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Ends a `Writable` and waits until it finished; a `FileHandle` is left open for its owner. */
  end(signal?: AbortSignal): Promise<void>;
}

/** Wraps a `Writable` or a `FileHandle` as a {@link TarSink}; write failures become `ERR_IO`. */
export function toSink(target: TarSinkTarget): TarSink {
  return target instanceof Writable ? writableSink(target) : fileHandleSink(target);
}

function fileHandleSink(handle: FileHandle): TarSink {
  return {
    async write(bytes) {
      let at = 0;
      while (at < bytes.byteLength) {
        try {
          at += (await handle.write(bytes, at, bytes.byteLength - at, null)).bytesWritten;
        } catch (cause) {
          throw new ImageError('ERR_IO', 'writing the tar archive', { cause });
        }
      }
    },
    async end() {},
  };
}

function writableSink(stream: Writable): TarSink {
  let failure: unknown;
  // keeps a failing stream from raising an unhandled 'error'; the next write reports it
  stream.on('error', (error) => {
    failure ??= error;
  });
  const failed = (): ImageError =>
    isImageError(failure) ? failure : new ImageError('ERR_IO', 'writing the tar archive', { cause: failure });
  return {
    async write(bytes, signal) {
      if (failure !== undefined) throw failed();
      if (stream.destroyed || stream.writableEnded) throw new ImageError('ERR_IO', 'the tar archive stream is closed');
      if (stream.write(bytes)) return;
      await new Promise<void>((resolve, reject) => {
        const done = (error?: unknown): void => {
          stream.off('drain', onDrain).off('error', onError).off('close', onClose);
          signal?.removeEventListener('abort', onAbort);
          if (error === undefined) resolve();
          else reject(error);
        };
        const onDrain = (): void => done();
        const onError = (error: unknown): void =>
          done(new ImageError('ERR_IO', 'writing the tar archive', { cause: error }));
        const onClose = (): void => done(new ImageError('ERR_IO', 'the tar archive stream closed early'));
        const onAbort = (): void => done(signal?.reason);
        stream.on('drain', onDrain).on('error', onError).on('close', onClose);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted === true) onAbort();
      });
    },
    async end(signal) {
      if (failure !== undefined) throw failed();
      stream.end();
      try {
        await finished(stream, signal === undefined ? {} : { signal });
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        throw new ImageError('ERR_IO', 'finishing the tar archive', { cause: error });
      }
    },
  };
}
