// A child process for the multi-process tests: runs one writer against the built package (dist/).
// Usage: node writer-process.mjs <write|stall-blob|stall-lock> <layout> <tag> <salt>
import { makeTestImage, writeTestImage } from '@ferry/testkit';
import { ociTransport, openLayout } from '../../dist/index.js';

const [mode, dir, tag, salt] = process.argv.slice(2);
const reference = ociTransport().parseReference(`${dir}:${tag}`);
const image = makeTestImage({ salt });

if (mode === 'write') {
  await writeTestImage(reference, image);
} else if (mode === 'stall-blob') {
  const dest = await reference.newImageDestination();
  await dest.putBlob(
    (async function* () {
      yield new Uint8Array(256 * 1024).fill(7);
      process.stdout.write('ready\n');
      await new Promise(() => {});
    })(),
    {},
  );
} else if (mode === 'stall-lock') {
  const layout = await openLayout(dir, { create: true });
  await layout.withLock(async () => {
    process.stdout.write('ready\n');
    await new Promise(() => {});
  });
}
