import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readTree } from './judges.ts';
import type { TreeNode } from './layer-spec.ts';

/**
 * Asserts that `rootfs` (an unpacked 60-layer image) is exactly `expected`, and spells out the parts that
 * matter most: whiteouts applied, opaque directories emptied, hard links sharing an inode, symlink targets
 * kept byte for byte.
 */
export function expectSixtyLayerTree(rootfs: string, expected: ReadonlyMap<string, TreeNode>): void {
  expect(Object.fromEntries(readTree(rootfs))).toEqual(Object.fromEntries(expected));
  const at = (p: string): string => join(rootfs, p);
  // whiteouts: a file, a directory and a symlink deleted; no marker file left
  expect(existsSync(at('data/layer-03.txt'))).toBe(false);
  expect(existsSync(at('del/victim'))).toBe(false);
  expect(existsSync(at('del/keep'))).toBe(true);
  expect(existsSync(at('dirs/d05'))).toBe(false);
  expect(existsSync(at('links/rel-07'))).toBe(false);
  expect(readdirSync(at('data')).some((n) => n.startsWith('.wh.'))).toBe(false);
  // opaque directories: lower content hidden, same-layer content kept
  expect(readdirSync(at('opaque'))).toEqual([]);
  expect(readdirSync(at('opaque2'))).toEqual(['fresh']);
  // hard links share an inode; one name survives the whiteout of the other
  expect(statSync(at('data/layer-42.hard')).ino).toBe(statSync(at('data/layer-42.txt')).ino);
  expect(statSync(at('data/layer-42.hard')).nlink).toBe(2);
  expect(statSync(at('data/layer-03.hard')).isFile()).toBe(true);
  // symlinks, relative and absolute
  expect(readlinkSync(at('links/rel-42'))).toBe('../data/layer-42.txt');
  expect(readlinkSync(at('links/abs-42'))).toBe('/data/layer-42.txt');
  expect(readlinkSync(at('usr/lib/tool-abs'))).toBe('/bin/tool');
}
