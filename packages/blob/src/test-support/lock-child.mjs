// A child process for the file-lock tests; runs against the built package (dist/).
// Usage: node lock-child.mjs count <lock> <counter-file> <rounds> | node lock-child.mjs hold <lock>
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { acquireFileLock } from '../../dist/index.js';

const [mode, lockPath, counter, rounds] = process.argv.slice(2);

if (mode === 'count') {
  for (let i = 0; i < Number(rounds); i++) {
    const lock = await acquireFileLock(lockPath);
    // a read-modify-write with a pause in the middle loses increments unless the lock excludes the others
    const value = Number(await readFile(counter, 'utf8'));
    await delay(1);
    await writeFile(counter, String(value + 1));
    await lock.release();
  }
} else if (mode === 'hold') {
  await acquireFileLock(lockPath);
  process.stdout.write('ready\n');
  await new Promise(() => {});
}
