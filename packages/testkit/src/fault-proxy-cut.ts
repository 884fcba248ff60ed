import type { Socket } from 'node:net';

// the pause between flushing the last bytes and a reset, so the peer reads them before the reset discards them
const RESET_PAUSE_MS = 10;

/** Closes `socket` with a TCP reset (the peer sees `ECONNRESET`), after a short pause. */
export function resetSocketSoon(socket: Socket): void {
  setTimeout(() => {
    if (!socket.destroyed) socket.resetAndDestroy();
  }, RESET_PAUSE_MS);
}

/**
 * Once everything written to `socket` so far is flushed, closes it: with a reset (`'reset'`) or an orderly
 * close (`'close'`, the peer sees the end of the stream).
 */
export function cutSocketAfterFlush(socket: Socket, how: 'reset' | 'close'): void {
  // an empty write calls back once every earlier write has reached the kernel
  socket.write(Buffer.alloc(0), () => {
    if (how === 'reset') resetSocketSoon(socket);
    else socket.destroy();
  });
}
