import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge, umociImage } from './test-support/run-ferry.ts';

const BIN = new URL('../../dist/bin/ferry.mjs', import.meta.url).pathname;

function ferryProcess(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('concurrent ferry processes writing one OCI layout', () => {
  it('keeps every tag of 10 simultaneous copies (skopeo loses entries here)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ferry-concurrent-'));
    const source = join(work, 'src');
    umociImage(source, 'v1', work);
    const shared = join(work, 'shared');
    const tags = Array.from({ length: 10 }, (_, i) => `tag${i}`);
    const results = await Promise.all(
      tags.map((tag) => ferryProcess(['copy', '-q', `oci:${source}:v1`, `oci:${shared}:${tag}`])),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const index = JSON.parse(readFileSync(join(shared, 'index.json'), 'utf8'));
    const names = index.manifests.map(
      (m: { annotations?: Record<string, string> }) => m.annotations?.['org.opencontainers.image.ref.name'],
    );
    expect(names.sort()).toEqual([...tags].sort());
    for (const tag of tags)
      judge('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${shared}:${tag}`, `dir:${join(work, `check-${tag}`)}`]);
    // nothing half-written is left beside the blobs
    expect(readdirSync(join(shared, 'blobs', 'sha256')).every((name) => /^[0-9a-f]{64}$/.test(name))).toBe(true);
  }, 120_000);
});
