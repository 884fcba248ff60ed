import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerArchiveTransport } from './index.ts';
import { expectSourceServes, writeImage } from './test-support/archive-helpers.ts';
import { ensureBuilt, KILL_WRITER_SCRIPT } from './test-support/built-package.ts';
import { tempDir } from './test-support/temp-dir.ts';
import { makeV2s2Image } from './test-support/v2s2-image.ts';

const transport = dockerArchiveTransport();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `read()` contains `text`. */
async function waitFor(read: () => string, text: string): Promise<boolean> {
  for (let i = 0; i < 4000 && !read().includes(text); i++) await sleep(5);
  return read().includes(text);
}

describe('SIGKILL while writing', () => {
  it.each(['staging', 'assembling'] as const)(
    'leaves the target as it was (an empty file) when killed while %s, and a re-run cleans up',
    { timeout: 60_000 },
    async (phase) => {
      await ensureBuilt();
      const dir = await tempDir();
      const path = join(dir, 'a.tar');
      // a non-empty archive is never replaced, so the target the killed writer must not disturb is empty
      await writeFile(path, '');
      const before = await readFile(path);
      const child = spawn(process.execPath, [KILL_WRITER_SCRIPT, path, String(256 << 20)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
      let output = '';
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
      });
      if (phase === 'staging') {
        await sleep(150);
        expect(output).toBe('');
      } else {
        // killed as soon as it says "committing": the archive is being finished and synced (the layer is
        // already in it; syncing 256 MiB takes far longer than delivering a signal)
        expect(await waitFor(() => output, 'committing')).toBe(true);
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(output).not.toContain('committed');
      expect(await readFile(path)).toEqual(before);
      // a re-run succeeds and removes what the killed writer left beside the target
      const again = makeV2s2Image('again');
      await writeImage(transport.parseReference(path), again);
      expect(await readdir(dir)).toEqual(['a.tar']);
      await using source = await transport.parseReference(path).newImageSource();
      await expectSourceServes(source, again);
    },
  );
});
