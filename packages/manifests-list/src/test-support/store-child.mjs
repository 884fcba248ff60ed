// A child process for the multi-process store tests; runs against the built package (dist/).
// Usage: node store-child.mjs add <root> <name> <os> <architecture> <salt>
//        node store-child.mjs hold <root> <name>   (prints "ready" while inside an update, then never ends)
import { createHash } from 'node:crypto';
import { openListStore } from '../../dist/list-store.js';

const [mode, root, name, os, architecture, salt] = process.argv.slice(2);
const store = openListStore({ root });

if (mode === 'add') {
  const digest = `sha256:${createHash('sha256').update(salt).digest('hex')}`;
  const instance = {
    digest,
    size: 100,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os, architecture },
  };
  await store.update(name, (current) => ({
    ...current,
    list: current.list.add(instance),
    origins: new Map([...current.origins, [digest, `oci:/images/${salt}`]]),
  }));
} else if (mode === 'hold') {
  await store.update(name, async () => {
    process.stdout.write('ready\n');
    await new Promise(() => {});
  });
}
