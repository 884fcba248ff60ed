import { manifestDigest } from '@ferry/manifest';
import type { PolicyContext } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { copyImage } from './index.ts';
import { buildImage } from './test-support/fixtures.ts';
import { memoryWorld } from './test-support/memory-transport.ts';

describe('copyImage: the manifest the policy judged is the one copied', () => {
  it('copies the top-level bytes the policy read, even when the source answers differently afterwards', async () => {
    const world = memoryWorld();
    const src = world.image('src');
    const other = await buildImage(src, { salt: 'other' });
    const judged = await buildImage(src, { salt: 'judged' });
    const seen: string[] = [];
    // a policy that reads the manifest (as a signature policy does), after which the source changes its answer
    const policy: PolicyContext = {
      checkImageAllowed: async ({ source }) => {
        seen.push(manifestDigest((await source.getManifest()).bytes));
        src.top = { bytes: other.manifest.bytes, mediaType: other.manifest.mediaType };
      },
    };
    const result = await copyImage(policy, world.ref('dst'), world.ref('src'));
    expect(seen).toEqual([judged.digest]);
    expect(result.digest).toBe(judged.digest);
    expect(world.image('dst').top?.bytes).toEqual(judged.manifest.bytes);
  });
});
