import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startRegistry } from './index.mjs';

const LAYOUT = fileURLToPath(new URL('../../../packages/ferry/fixtures/hello-oci', import.meta.url));
const MANIFEST_DIGEST = 'sha256:ca9be841e1f3463809a3e1e22831a638f1d648c83e708f2b386472a7fadbeeda';

/**
 * Runs skopeo asynchronously: the token issuer lives in this process, so a blocking call would deadlock.
 *
 * @param {string[]} args
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function skopeo(args) {
  return new Promise((resolve) => {
    execFile('skopeo', ['--insecure-policy', ...args], { timeout: 20000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** @param {number} port @returns {Promise<boolean>} whether something accepts connections on 127.0.0.1:port */
function isListening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** @param {import('./start-registry.mjs').RunningRegistry} registry @param {'src' | 'dest' | ''} side */
function tlsFlags(registry, side) {
  const prefix = side === '' ? '--' : `--${side}-`;
  return registry.certDir ? [`${prefix}cert-dir`, registry.certDir] : [`${prefix}tls-verify=false`];
}

describe('startRegistry', () => {
  for (const mode of /** @type {const} */ (['http', 'basic', 'tls', 'token'])) {
    it(`${mode}: skopeo pushes and reads back an image, then stop() closes the port`, async () => {
      const registry = await startRegistry({ mode });
      const port = Number(registry.host.split(':')[1]);
      try {
        expect(registry.url).toBe(`${mode === 'tls' ? 'https' : 'http'}://${registry.host}`);
        const creds = registry.username ? [`${registry.username}:${registry.password}`] : [];
        const destCreds = creds.flatMap((value) => ['--dest-creds', value]);
        const pushed = await skopeo([
          'copy',
          '-q',
          ...tlsFlags(registry, 'dest'),
          ...destCreds,
          `oci:${LAYOUT}:hello`,
          `docker://${registry.host}/test/hello:1`,
        ]);
        expect(pushed.stderr).toBe('');
        expect(pushed.code).toBe(0);

        const inspected = await skopeo([
          'inspect',
          ...tlsFlags(registry, ''),
          ...creds.flatMap((value) => ['--creds', value]),
          `docker://${registry.host}/test/hello:1`,
        ]);
        expect(inspected.code).toBe(0);
        expect(JSON.parse(inspected.stdout).Digest).toBe(MANIFEST_DIGEST);

        if (mode === 'basic' || mode === 'token') {
          const refused = await skopeo([
            'inspect',
            '--tls-verify=false',
            '--creds',
            `${registry.username}:wrong-password`,
            `docker://${registry.host}/test/hello:1`,
          ]);
          expect(refused.code).not.toBe(0);
          expect(refused.stderr).toMatch(/unauthorized|401|authentication required/i);
          const anonymous = await skopeo(['inspect', '--tls-verify=false', `docker://${registry.host}/test/hello:1`]);
          expect(anonymous.code).not.toBe(0);
        }
        if (mode === 'token') {
          const statuses = registry.token?.requests().map((request) => request.status) ?? [];
          expect(statuses).toContain(200);
          expect(statuses).toContain(401);
        }
        if (mode === 'tls') {
          const untrusted = await skopeo(['inspect', `docker://${registry.host}/test/hello:1`]);
          expect(untrusted.code).not.toBe(0);
          expect(untrusted.stderr).toMatch(/x509|certificate/i);
        }
      } finally {
        await registry.stop();
      }
      expect(await isListening(port)).toBe(false);
      expect(existsSync(registry.storageDir)).toBe(false);
    }, 30000);
  }

  it('rejects with the signal reason when aborted during start-up', async () => {
    const reason = new Error('test abort');
    const controller = new AbortController();
    const started = startRegistry({ mode: 'tls', signal: controller.signal });
    controller.abort(reason);
    await expect(started).rejects.toBe(reason);
  });

  it('stops a running registry when its signal aborts', async () => {
    const controller = new AbortController();
    const registry = await startRegistry({ mode: 'http', signal: controller.signal });
    const port = Number(registry.host.split(':')[1]);
    expect(await isListening(port)).toBe(true);
    controller.abort();
    await registry.stop(); // idempotent: waits for the stop the abort began
    expect(await isListening(port)).toBe(false);
  });
});
