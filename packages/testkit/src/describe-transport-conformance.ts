import { describe } from 'vitest';
import { failureChecks } from './conformance-failures.ts';
import type { ConformanceOptions } from './conformance-options.ts';
import { roundTripChecks } from './conformance-round-trips.ts';

/**
 * Registers the conformance suite for a transport with vitest: reference round trip, image (gzip and zstd
 * layers) and list round trips (bytes identical), signatures of every declared kind, large (64 MiB by default)
 * and concurrent blobs, `putBlob` failures
 * (wrong digest, wrong size, a failing stream, an abort) that leave nothing behind, disposal without commit,
 * unknown blobs and manifests, and blob reuse. Checks that depend on a trait (signatures, lists, concurrent
 * writes) run only when the destination declares it.
 *
 * @example
 * ```ts
 * import { describeTransportConformance } from '@ferry/testkit';
 * describeTransportConformance('dir', {
 *   transport: dirTransport(),
 *   newWritableReference: async () => dirTransport().parseReference(join(await mkdtemp(base), 'image')),
 * });
 * ```
 */
export function describeTransportConformance(name: string, options: ConformanceOptions): void {
  const skipped = new Set<string>(options.skip ?? []);
  const enabled = (check: string): boolean => !skipped.has(check);
  describe(`${name} transport conformance`, () => {
    roundTripChecks(options, enabled);
    failureChecks(options, enabled);
  });
}
