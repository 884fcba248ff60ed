import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FerryRun } from '../../cli/test-support/run-ferry.ts';
import { badBlobs, hiddenEntries, layoutTags } from './judges.ts';
import { refFor, requireTransport, type TransportKind } from './transport-refs.ts';

/** A destination a failing copy is aimed at, and how to check afterwards that it was left alone. */
export interface Target {
  readonly ref: string;
  /** Asserts the destination is exactly as before the copy: no new tag, no partial blob, no temp file. */
  check(): void;
}

/**
 * A fresh destination of `kind` under `work`. An `oci` destination is a copy of `template` (a layout with
 * tag `old`) so the check can see that its old tag survives; the others must not exist afterwards at all.
 */
export function targetOf(kind: TransportKind, work: string, template: string): Target {
  if (kind === 'docker-archive') requireTransport(kind);
  const parent = mkdtempSync(join(work, `target-${kind}-`));
  if (kind === 'oci') {
    const layout = join(parent, 'layout');
    cpSync(template, layout, { recursive: true });
    const indexBefore = readFileSync(join(layout, 'index.json'), 'utf8');
    const blobsBefore = readdirSync(join(layout, 'blobs', 'sha256')).length;
    return {
      ref: `oci:${layout}:new`,
      check: () => {
        expect(layoutTags(layout)).toEqual(['old']);
        expect(readFileSync(join(layout, 'index.json'), 'utf8')).toBe(indexBefore);
        expect(badBlobs(layout)).toEqual([]);
        expect(hiddenEntries(layout)).toEqual([]);
        expect(hiddenEntries(join(layout, 'blobs', 'sha256'))).toEqual([]);
        expect(readdirSync(join(layout, 'blobs', 'sha256')).length).toBeGreaterThanOrEqual(blobsBefore);
        expect(readdirSync(parent)).toEqual(['layout']);
      },
    };
  }
  const path = join(parent, kind === 'dir' ? 'image' : 'image.tar');
  return {
    ref: refFor(kind, path, true),
    // neither the destination nor a hidden staging sibling may remain
    check: () => expect(readdirSync(parent)).toEqual([]),
  };
}

/** Asserts a failed copy: exit 1, a `ferry:` line that mentions `mention`, and one of `codes` (`--debug`). */
export function expectFailure(r: FerryRun, codes: readonly string[], mention: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const line = r.stderr.split('\n').find((l) => l.startsWith('ferry: '));
  expect(line, r.stderr).toMatch(mention);
  const code = /^ {2}code: (ERR_[A-Z_]+)$/m.exec(r.stderr)?.[1];
  expect(codes, r.stderr).toContain(code);
}

/** Copies the layout at `from` to a fresh directory under `work` and returns it, for corrupting. */
export function layoutCopy(from: string, work: string): string {
  const to = join(mkdtempSync(join(work, 'src-')), 'layout');
  cpSync(from, to, { recursive: true });
  return to;
}
