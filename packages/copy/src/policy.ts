import type { PolicyContext } from '@ferry/types';

/**
 * A policy that accepts every image, like `policy.json`'s `insecureAcceptAnything`: use it only where the
 * source is trusted (until signature policies are implemented, it is the only one).
 *
 * @example
 * ```ts
 * await copyImage(insecureAcceptAnythingPolicy(), destRef, srcRef);
 * ```
 */
export function insecureAcceptAnythingPolicy(): PolicyContext {
  return Object.freeze({ checkImageAllowed: async (): Promise<void> => undefined });
}
