import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadUndiciAgent } from './undici-agent.ts';

describe('loadUndiciAgent', () => {
  it('gives an Agent that can send requests', async () => {
    const Agent = await loadUndiciAgent();
    const agent = new Agent();
    try {
      expect(typeof agent.request).toBe('function');
    } finally {
      await agent.close();
    }
  });

  it('loads the dispatcher and its API, not the whole of undici', () => {
    const built = fileURLToPath(new URL('../dist/undici-agent.js', import.meta.url));
    const script = `
      const { loadUndiciAgent } = await import(${JSON.stringify(built)});
      const Agent = await loadUndiciAgent();
      const { createRequire } = await import('node:module');
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ request: typeof new Agent().request, index: cache.some((p) => /undici[\\\\/]index\\.js$/.test(p)), fetch: cache.some((p) => p.includes('web/fetch')) }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ request: 'function', index: false, fetch: false });
  });
});
