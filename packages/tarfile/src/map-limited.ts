/**
 * Maps `items` through `fn` with at most `limit` calls running at once, keeping the order of results. The
 * first failure rejects the whole (calls already running are left to finish on their own).
 * @example
 * ```ts
 * const digests = await mapLimited(layers, 2, (layer) => hashLayer(layer));
 * ```
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
