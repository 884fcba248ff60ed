import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { type FaultProxy, startFaultProxy } from '@ferry/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, runFerry } from '../cli/test-support/run-ferry.ts';
import { buildTestImages, type TestImages } from './test-support/test-images.ts';

// `ferry manifest …` against the real registry (distribution 2.8), with skopeo as the judge.

const BIN = new URL('../../dist/bin/ferry.mjs', import.meta.url).pathname;
let work: string;
let images: TestImages;
let registry: RunningRegistry;
let proxy: FaultProxy;
let env: Record<string, string>;
let amd64Layout: string;
let arm64Ref: string;
const NO_TLS = '--tls-verify=false';

const skopeo = (...args: string[]): string => judge('skopeo', ['--insecure-policy', ...args]);
const ferry = (...args: string[]) => runFerry(['--insecure-policy', ...args], { env });
const rawOf = (ref: string) => JSON.parse(skopeo('inspect', '--raw', '--tls-verify=false', ref));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ferry-manifest-lists-'));
  env = { XDG_DATA_HOME: join(work, 'data'), HOME: join(work, 'home') };
  images = buildTestImages(join(work, 'images'));
  registry = await startRegistry({ mode: 'http' });
  proxy = await startFaultProxy({ upstream: registry.url });
  // two single-platform images: amd64 in an OCI layout, arm64 in the registry
  amd64Layout = join(work, 'amd64');
  skopeo('--override-arch', 'amd64', 'copy', '-q', `oci:${images.layout}:multi`, `oci:${amd64Layout}:v1`);
  arm64Ref = `docker://${registry.host}/single/arm64:v1`;
  skopeo('--override-arch', 'arm64', 'copy', '-q', '--dest-tls-verify=false', `oci:${images.layout}:multi`, arm64Ref);
}, 90_000);

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('ferry manifest: build, push, judged by skopeo', () => {
  it('builds a list from an OCI layout image and a registry image, pushes it with its instances', async () => {
    expect((await ferry('manifest', 'create', 'app')).code).toBe(0);
    const a = await ferry('manifest', 'add', 'app', `oci:${amd64Layout}:v1`);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await ferry('manifest', 'add', NO_TLS, 'app', arm64Ref);
    expect(b.stderr).toBe('');
    const inspected = JSON.parse((await ferry('manifest', 'inspect', 'app')).stdout);
    expect(
      inspected.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort(),
    ).toEqual(['amd64', 'arm64']);
    const digestFile = join(work, 'app.digest');
    const pushed = await ferry(
      'manifest',
      'push',
      '-q',
      NO_TLS,
      '--digestfile',
      digestFile,
      'app',
      `docker://${registry.host}/lists/app:v1`,
    );
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const raw = rawOf(`docker://${registry.host}/lists/app:v1`);
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests.map((m: { digest: string }) => m.digest).sort()).toEqual(
      [images.multi.amd64.digest, images.multi.arm64.digest].sort(),
    );
    const digest = readFileSync(digestFile, 'utf8');
    // skopeo copies the whole list, verifying every digest
    skopeo(
      'copy',
      '-q',
      '--all',
      '--src-tls-verify=false',
      `docker://${registry.host}/lists/app@${digest}`,
      `oci:${join(work, 'judged')}:x`,
    );
  });

  it('pushes --format v2s2 as a Docker manifest list with converted instances skopeo accepts', async () => {
    const r = await ferry(
      'manifest',
      'push',
      '-q',
      NO_TLS,
      '--format',
      'v2s2',
      'app',
      `docker://${registry.host}/lists/app-v2s2:v1`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const raw = rawOf(`docker://${registry.host}/lists/app-v2s2:v1`);
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    for (const entry of raw.manifests) {
      expect(entry.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    }
    skopeo(
      'copy',
      '-q',
      '--all',
      '--src-tls-verify=false',
      `docker://${registry.host}/lists/app-v2s2:v1`,
      `dir:${join(work, 'judged-v2s2')}`,
    );
  });

  it('pushes again to a repository that has every instance without uploading a blob', async () => {
    const before = proxy.requests().length;
    const r = await ferry('manifest', 'push', '-q', NO_TLS, 'app', `docker://${proxy.host}/lists/app:v2`);
    expect(r.code).toBe(0);
    const uploads = proxy
      .requests()
      .slice(before)
      .filter((q) => q.method === 'POST' || q.method === 'PATCH' || (q.method === 'PUT' && q.path.includes('/blobs/')));
    expect(uploads).toEqual([]);
  });

  it('loads a list skopeo pushed, edits it and pushes it again', async () => {
    skopeo(
      'copy',
      '-q',
      '--all',
      '--dest-tls-verify=false',
      `oci:${images.layout}:multi`,
      `docker://${registry.host}/lists/by-skopeo:v1`,
    );
    const c = await ferry(
      'manifest',
      'create',
      NO_TLS,
      'edited',
      `docker://${registry.host}/lists/by-skopeo:v1`,
      '--all',
    );
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect((await ferry('manifest', 'remove', 'edited', images.multi.arm64.digest)).code).toBe(0);
    const annotated = await ferry(
      'manifest',
      'annotate',
      '--annotation',
      'org.example.k=v',
      'edited',
      images.multi.amd64.digest,
    );
    expect(annotated.stderr).toBe('');
    // the list itself: an annotation and a subject (another image's manifest)
    const index = await ferry(
      'manifest',
      'annotate',
      NO_TLS,
      '--index',
      '--annotation',
      'org.example.list=yes',
      '--subject',
      arm64Ref,
      'edited',
    );
    expect(index.stderr).toBe('');
    const r = await ferry(
      'manifest',
      'push',
      '-q',
      NO_TLS,
      '--rm',
      'edited',
      `docker://${registry.host}/lists/edited:v1`,
    );
    expect(r.stderr).toBe('');
    const raw = rawOf(`docker://${registry.host}/lists/edited:v1`);
    expect(raw.manifests).toHaveLength(1);
    expect(raw.manifests[0].digest).toBe(images.multi.amd64.digest);
    expect(raw.manifests[0].annotations).toEqual({ 'org.example.k': 'v' });
    expect(raw.annotations).toEqual({ 'org.example.list': 'yes' });
    expect(raw.subject.digest).toBe(images.multi.arm64.digest);
    expect((await ferry('manifest', 'exists', 'edited')).code).toBe(1);
  });
});

describe('ferry manifest: bad input', () => {
  it('refuses unknown lists, unknown digests and duplicate platforms with coded errors', async () => {
    const unknown = await ferry(
      '--debug',
      'manifest',
      'push',
      NO_TLS,
      'no-such-list',
      `docker://${registry.host}/lists/x:v1`,
    );
    expect(unknown.stderr).toContain('ERR_LIST_UNKNOWN');
    const missing = await ferry('--debug', 'manifest', 'remove', 'no-such-list', images.multi.amd64.digest);
    expect(missing.stderr).toContain('ERR_LIST_UNKNOWN');
    expect((await ferry('manifest', 'create', 'bad')).code).toBe(0);
    const notThere = await ferry('--debug', 'manifest', 'remove', 'bad', images.sixty.manifest.digest);
    expect(notThere.stderr).toContain('ERR_MANIFEST_UNKNOWN');
    const annotateNotThere = await ferry(
      '--debug',
      'manifest',
      'annotate',
      '--os',
      'linux',
      'bad',
      images.sixty.manifest.digest,
    );
    expect(annotateNotThere.stderr).toContain('ERR_MANIFEST_UNKNOWN');
    expect((await ferry('manifest', 'add', 'bad', `oci:${amd64Layout}:v1`)).code).toBe(0);
    // the 60-layer image is linux/amd64 too: a second amd64 instance is refused
    const duplicate = await ferry('--debug', 'manifest', 'add', 'bad', `oci:${images.layout}:v1`);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/duplicate platform/);
    expect(JSON.parse((await ferry('manifest', 'inspect', 'bad')).stdout).manifests).toHaveLength(1);
    const exists = await ferry('manifest', 'create', 'bad');
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/exists/);
  });

  it('reports a corrupt stored list with a coded error', async () => {
    expect((await ferry('manifest', 'create', 'corrupt')).code).toBe(0);
    const root = join(work, 'data', 'ferry', 'manifest-lists');
    const [file] = readdirSync(root).filter((f) => !f.endsWith('.lock') && f.includes('corrupt'));
    expect(file).toBeDefined();
    writeFileSync(join(root, file as string), '{"not": "a list"');
    const r = await ferry('--debug', 'manifest', 'inspect', 'corrupt');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_INVALID_IMAGE');
  });

  it('leaves no list in the destination when an instance cannot be copied', async () => {
    const gone = join(work, 'gone');
    skopeo('copy', '-q', `oci:${amd64Layout}:v1`, `oci:${gone}:v1`);
    expect((await ferry('manifest', 'create', 'doomed', `oci:${gone}:v1`)).code).toBe(0);
    expect((await ferry('manifest', 'add', NO_TLS, 'doomed', arm64Ref)).code).toBe(0);
    rmSync(gone, { recursive: true, force: true });
    const r = await ferry('manifest', 'push', '-q', NO_TLS, 'doomed', `docker://${registry.host}/lists/doomed:v1`);
    expect(r.code).toBe(1);
    expect(() => rawOf(`docker://${registry.host}/lists/doomed:v1`)).toThrow(/manifest unknown|not found/i);
  });

  it('keeps every instance when 8 processes add to one list at once', async () => {
    expect((await ferry('manifest', 'create', 'busy')).code).toBe(0);
    const archs = ['amd64', 'arm64', 'ppc64le', 's390x', '386', 'riscv64', 'mips64le', 'loong64'];
    // eight distinct small images, one per architecture (umoci writes them)
    const many = join(work, 'many');
    judge('umoci', ['init', '--layout', many]);
    for (const arch of archs) {
      judge('umoci', ['new', '--image', `${many}:${arch}`]);
      judge('umoci', ['config', '--image', `${many}:${arch}`, '--architecture', arch, '--os', 'linux']);
    }
    await Promise.all(
      archs.map(
        (arch) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, [BIN, 'manifest', 'add', 'busy', `oci:${many}:${arch}`], {
              env: { ...process.env, ...env },
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (d) => {
              stderr += d;
            });
            child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`add ${arch}: ${stderr}`))));
          }),
      ),
    );
    const list = JSON.parse((await ferry('manifest', 'inspect', 'busy')).stdout);
    expect(list.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort()).toEqual(
      [...archs].sort(),
    );
    expect(existsSync(join(work, 'data'))).toBe(true);
  }, 60_000);
});
