import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expectImage, makeTestImage, writeTestImage } from '@ferry/testkit';
import { describe, expect, it } from 'vitest';
import { dirTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

// The child runs the built package (dist/), as a real second process would.
const built = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')).href;
const childScript = `
const { dirTransport } = await import(${JSON.stringify(built)});
const dest = await dirTransport().parseReference(process.argv[2]).newImageDestination();
async function* slow() {
  for (let i = 0; ; i++) {
    yield new Uint8Array(64 * 1024).fill(i & 0xff);
    if (i === 4) process.stdout.write('writing\\n');
    await new Promise((r) => setTimeout(r, 5));
  }
}
await dest.putBlob(slow(), { size: 1 << 30 });
`;

describe('dir: a writer killed midway', () => {
  it('leaves the old image untouched, and the next destination removes its staging directory', async () => {
    const base = await tempDir();
    const target = join(base, 'image');
    const image = makeTestImage();
    await writeTestImage(dirTransport().parseReference(target), image);
    const script = join(base, 'child.mjs');
    await writeFile(script, childScript);
    const child = spawn(process.execPath, [script, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const leftovers = (await readdir(base)).filter((n) => n.startsWith('.image.ferry-'));
    expect(leftovers).toEqual([
      expect.stringMatching(new RegExp(`^\\.image\\.ferry-${child.pid}-[0-9a-f]+\\.staging$`)),
    ]);
    await expectImage(dirTransport().parseReference(target), image);
    const dest = await dirTransport().parseReference(target).newImageDestination();
    const during = (await readdir(base)).filter((n) => n.startsWith('.image.ferry-'));
    expect(during).not.toContain(leftovers[0]);
    await dest[Symbol.asyncDispose]();
    expect((await readdir(base)).sort()).toEqual(['child.mjs', 'image']);
  }, 30_000);

  it('puts back an old image a kill left aside between the two renames of a swap', async () => {
    const base = await tempDir();
    const image = makeTestImage({ salt: '-aside' });
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const aside = join(base, `.image.ferry-${dead.pid}-abcdef.old`);
    await mkdir(base, { recursive: true });
    await writeTestImage(dirTransport().parseReference(aside), image);
    const target = join(base, 'image');
    const dest = await dirTransport().parseReference(target).newImageDestination();
    await dest[Symbol.asyncDispose]();
    expect(await readdir(base)).toEqual(['image']);
    await expectImage(dirTransport().parseReference(target), image);
  }, 30_000);
});
