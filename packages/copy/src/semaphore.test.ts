import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { createSemaphore } from './semaphore.ts';

describe('createSemaphore', () => {
  it('admits at most limit holders, in order', async () => {
    const s = createSemaphore(2);
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const order: number[] = [];
    const p3 = s.acquire().then((r) => {
      order.push(3);
      return r;
    });
    const p4 = s.acquire().then((r) => {
      order.push(4);
      return r;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    r1();
    r1(); // a second release is ignored
    (await p3)();
    r2();
    await p4;
    expect(order).toEqual([3, 4]);
  });

  it('rejects a waiter with signal.reason on abort and frees nothing', async () => {
    const s = createSemaphore(1);
    const held = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    held();
    const again = await s.acquire();
    again();
  });

  it('refuses a bad limit', () => {
    expect(() => createSemaphore(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    try {
      createSemaphore(1.5);
    } catch (e) {
      expect(isImageError(e, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });
});
