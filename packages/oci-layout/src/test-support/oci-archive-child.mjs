// A child process for the oci-archive crash test: runs one writer against the built package (dist/).
// Usage: node oci-archive-child.mjs stall-commit <archive> <name> <salt>
// It stages an image, then swaps one staged blob for a FIFO nobody writes, so `commit` blocks for ever
// while writing the temp archive: the parent can SIGKILL it there, deterministically.
import { execFileSync } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { makeTestImage, putImage } from '@ferry/testkit';
import { ociArchiveTransport } from '../../dist/index.js';

const [mode, file, name, salt] = process.argv.slice(2);
if (mode !== 'stall-commit') throw new Error(`unknown mode ${mode}`);
const image = makeTestImage({ salt });
const dest = await ociArchiveTransport().parseReference(`${file}:${name}`).newImageDestination();
await putImage(dest, image, undefined);
const prefix = `.${basename(file)}.ferry-${process.pid}-`;
const staging = (await readdir(dirname(file))).find((n) => n.startsWith(prefix) && n.endsWith('.staging'));
const layer = join(dirname(file), staging, 'blobs', 'sha256', image.layers[0].digest.slice('sha256:'.length));
await rm(layer);
execFileSync('mkfifo', [layer]);
process.stdout.write('ready\n');
await dest.commit();
