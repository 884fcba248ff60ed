import type { LayerEntry } from './layer-spec.ts';

/** How many layers {@link sixtyLayerSpec} makes. */
export const LAYER_COUNT = 60;

const pad = (i: number): string => String(i).padStart(2, '0');

/** Deterministic text of about `kib` KiB for layer `i`. */
export function layerText(i: number, kib: number): string {
  const lines: string[] = [];
  let x = (i + 1) * 2654435761;
  for (let at = 0; at < kib * 1024; ) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const line = `layer ${i} line ${lines.length} value ${x.toString(36)}\n`;
    lines.push(line);
    at += line.length;
  }
  return lines.join('');
}

function baseLayer(): LayerEntry[] {
  return [
    { kind: 'file', path: 'bin/tool', content: layerText(999, 16) },
    { kind: 'symlink', path: 'bin/sh', target: 'tool' },
    { kind: 'symlink', path: 'usr/lib/tool-abs', target: '/bin/tool' },
    { kind: 'file', path: 'etc/version', content: 'v0\n' },
    { kind: 'file', path: 'del/victim', content: 'to be deleted\n' },
    { kind: 'file', path: 'del/keep', content: 'stays\n' },
    { kind: 'file', path: 'opaque/a', content: 'a\n' },
    { kind: 'file', path: 'opaque/b', content: 'b\n' },
    { kind: 'file', path: 'opaque/sub/c', content: 'c\n' },
    { kind: 'file', path: 'opaque2/x', content: 'x\n' },
    { kind: 'dir', path: 'empty-dir' },
    { kind: 'file', path: 'data/with space.txt', content: '' },
    { kind: 'file', path: `deep/${'long-name-'.repeat(14)}end.txt`, content: 'a name longer than 100 bytes\n' },
  ];
}

// the whiteouts and opaque directories, by layer
const DELETIONS: Readonly<Record<number, readonly LayerEntry[]>> = {
  10: [
    { kind: 'whiteout', path: 'data/layer-03.txt' },
    { kind: 'whiteout', path: 'del/victim' },
    { kind: 'whiteout', path: 'dirs/d05' },
  ],
  20: [{ kind: 'opaque', path: 'opaque' }],
  25: [
    { kind: 'opaque', path: 'opaque2' },
    { kind: 'file', path: 'opaque2/fresh', content: 'fresh\n' },
  ],
  30: [
    { kind: 'whiteout', path: 'links/rel-07' },
    { kind: 'whiteout', path: 'data/layer-12.hard' },
  ],
};

/**
 * The 60 layers of the interop image: every layer adds a file (2–9 KiB), a hard link to it, a relative and
 * an absolute symlink, and a directory; layer 0 is a small base; layers 10, 20, 25 and 30 delete files,
 * a directory and a symlink with whiteouts and empty two directories with opaque markers; every tenth
 * layer rewrites `etc/version`.
 */
export function sixtyLayerSpec(): LayerEntry[][] {
  return Array.from({ length: LAYER_COUNT }, (_, i) => {
    const n = pad(i);
    const entries: LayerEntry[] = i === 0 ? baseLayer() : [];
    entries.push(
      { kind: 'file', path: `data/layer-${n}.txt`, content: layerText(i, 2 + (i % 8)) },
      { kind: 'hardlink', path: `data/layer-${n}.hard`, target: `data/layer-${n}.txt` },
      { kind: 'symlink', path: `links/rel-${n}`, target: `../data/layer-${n}.txt` },
      { kind: 'symlink', path: `links/abs-${n}`, target: `/data/layer-${n}.txt` },
      { kind: 'file', path: `dirs/d${n}/f`, content: `dir ${i}\n` },
    );
    if (i > 0 && i % 10 === 0) entries.push({ kind: 'file', path: 'etc/version', content: `v${i}\n` });
    entries.push(...(DELETIONS[i] ?? []));
    return entries;
  });
}
