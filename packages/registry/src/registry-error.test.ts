import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRegistry } from '@ferry/registry-server';
import { type ImageErrorCode, isImageError } from '@ferry/types';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { isRegistryError, RegistryError, type RegistryErrorKind, registryErrorFrom } from './registry-error.ts';

const what = 'reading manifest latest in 127.0.0.1:5000/foo';

function body(...errors: { code: string; message?: string; detail?: unknown }[]): string {
  return JSON.stringify({ errors });
}

describe('registryErrorFrom', () => {
  it('words a distribution error as containers/image does', () => {
    const error = registryErrorFrom(
      { status: 404, body: body({ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'latest' } }) },
      what,
      'manifest',
    );
    expect(error.message).toBe('reading manifest latest in 127.0.0.1:5000/foo: manifest unknown');
    expect(error.code).toBe('ERR_MANIFEST_UNKNOWN');
    expect(error.status).toBe(404);
    expect(error.errors).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'latest' } },
    ]);
    expect(error).toBeInstanceOf(RegistryError);
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
  });

  it('prefixes a non-default message with the code text', () => {
    const error = registryErrorFrom(
      { status: 400, body: body({ code: 'MANIFEST_BLOB_UNKNOWN', message: 'sha256:abc' }) },
      'uploading manifest latest to 127.0.0.1:5000/foo',
      'manifest',
    );
    expect(error.message).toBe('uploading manifest latest to 127.0.0.1:5000/foo: manifest blob unknown: sha256:abc');
    expect(error.code).toBe('ERR_INVALID_MANIFEST');
  });

  it.each<[number, string | undefined, RegistryErrorKind, ImageErrorCode]>([
    [401, 'UNAUTHORIZED', 'manifest', 'ERR_UNAUTHORIZED'],
    [401, undefined, 'blob', 'ERR_UNAUTHORIZED'],
    [403, 'DENIED', 'upload', 'ERR_DENIED'],
    [403, undefined, 'manifest', 'ERR_DENIED'],
    [404, 'MANIFEST_UNKNOWN', 'manifest', 'ERR_MANIFEST_UNKNOWN'],
    [404, 'NAME_UNKNOWN', 'manifest', 'ERR_MANIFEST_UNKNOWN'],
    [404, 'NAME_UNKNOWN', 'tags', 'ERR_MANIFEST_UNKNOWN'],
    [404, 'NAME_UNKNOWN', 'blob', 'ERR_BLOB_UNKNOWN'],
    [404, undefined, 'manifest', 'ERR_MANIFEST_UNKNOWN'],
    [404, undefined, 'blob', 'ERR_BLOB_UNKNOWN'],
    [404, undefined, 'catalog', 'ERR_NOT_IMPLEMENTED'],
    [404, undefined, 'other', 'ERR_IO'],
    [404, 'BLOB_UNKNOWN', 'blob', 'ERR_BLOB_UNKNOWN'],
    [404, 'BLOB_UPLOAD_UNKNOWN', 'upload', 'ERR_BLOB_UNKNOWN'],
    [400, 'DIGEST_INVALID', 'upload', 'ERR_DIGEST_MISMATCH'],
    [400, 'SIZE_INVALID', 'upload', 'ERR_SIZE_MISMATCH'],
    [400, 'MANIFEST_INVALID', 'manifest', 'ERR_INVALID_MANIFEST'],
    [400, 'TAG_INVALID', 'manifest', 'ERR_INVALID_MANIFEST'],
    [400, 'NAME_INVALID', 'manifest', 'ERR_INVALID_REFERENCE'],
    [400, undefined, 'manifest', 'ERR_INVALID_MANIFEST'],
    [400, undefined, 'upload', 'ERR_IO'],
    [405, 'UNSUPPORTED', 'other', 'ERR_NOT_IMPLEMENTED'],
    [405, undefined, 'upload', 'ERR_NOT_IMPLEMENTED'],
    [429, 'TOOMANYREQUESTS', 'manifest', 'ERR_IO'],
    [500, 'UNKNOWN', 'blob', 'ERR_IO'],
    [502, undefined, 'blob', 'ERR_IO'],
    [503, 'SOMETHING_NEW', 'manifest', 'ERR_IO'],
  ])('maps %i %s on a %s request to %s', (status, code, kind, expected) => {
    const error = registryErrorFrom({ status, body: code === undefined ? '' : body({ code }) }, what, kind);
    expect(error.code).toBe(expected);
    expect(isRegistryError(error, expected)).toBe(true);
  });

  it('uses the default message when an entry has none', () => {
    expect(registryErrorFrom({ status: 404, body: body({ code: 'BLOB_UNKNOWN' }) }, 'x', 'blob').message).toBe(
      'x: blob unknown to registry',
    );
    expect(registryErrorFrom({ status: 404, body: body({ code: 'constructor' }) }, 'x').message).toBe('x: constructor');
  });

  it('reads a bearer error from WWW-Authenticate on a 401, as containers/image', () => {
    const headers = {
      'www-authenticate':
        'Bearer realm="https://auth.example/token",error="insufficient_scope",scope="repository:a:pull"',
    };
    const error = registryErrorFrom({ status: 401, headers, body: body({ code: 'UNAUTHORIZED' }) }, what, 'manifest');
    expect(error.code).toBe('ERR_DENIED');
    expect(error.message).toBe(`${what}: requested access to the resource is denied`);
    expect(error.message).not.toContain('auth.example');
    const invalid = { 'www-authenticate': ['Bearer error="invalid_token",error_description="token expired"'] };
    const expired = registryErrorFrom({ status: 401, headers: invalid }, what, 'manifest');
    expect(expired.code).toBe('ERR_UNAUTHORIZED');
    expect(expired.message).toBe(`${what}: unauthorized: token expired`);
    const malformed = registryErrorFrom({ status: 401, headers: { 'www-authenticate': 'Bearer "' } }, what, 'manifest');
    expect(malformed.message).toBe(`${what}: received unexpected HTTP status: 401 Unauthorized`);
  });

  it('reads the legacy {"details": …} body', () => {
    const error = registryErrorFrom(
      { status: 429, body: '{"details":"You have reached your pull rate limit."}' },
      what,
    );
    expect(error.message).toBe(`${what}: You have reached your pull rate limit.`);
    expect(error.code).toBe('ERR_IO');
  });

  it('shows a non-JSON body cleaned and cut short, and never the headers', () => {
    const html = `<html>\n<body>\u001b[31mBad\tGateway\u202e ${'x'.repeat(500)}</body></html>`;
    const error = registryErrorFrom(
      { status: 502, headers: { authorization: 'Bearer secret-token', 'set-cookie': 'sid=secret' }, body: html },
      what,
      'blob',
    );
    expect(
      error.message.startsWith(
        `${what}: received unexpected HTTP status: 502 Bad Gateway "<html> <body> [31mBad Gateway`,
      ),
    ).toBe(true);
    expect(error.message).toMatch(/…"$/);
    expect(error.message.length).toBeLessThan(what.length + 280);
    expect([...error.message].filter((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toEqual([]);
    expect(error.message).not.toContain('secret');
    expect(error.errors).toEqual([]);
  });

  it('handles bodies that are JSON but not an error list', () => {
    for (const text of ['null', '42', '{"errors":"no"}', '{"errors":[null,{"code":7},"x"]}', '[]']) {
      const error = registryErrorFrom({ status: 500, body: text }, what, 'manifest');
      expect(error.code).toBe('ERR_IO');
      expect(error.errors).toEqual([]);
    }
    expect(registryErrorFrom({ status: 418 }, what).message).toBe(
      `${what}: received unexpected HTTP status: 418 I'm a Teapot`,
    );
    expect(registryErrorFrom({ status: 599, body: '  ' }, what).message).toBe(
      `${what}: received unexpected HTTP status: 599`,
    );
  });

  it('cuts long registry messages', () => {
    const error = registryErrorFrom(
      { status: 400, body: body({ code: 'MANIFEST_INVALID', message: 'y'.repeat(1000) }) },
      what,
    );
    expect(error.message.length).toBeLessThan(what.length + 240);
  });
});

describe('isRegistryError', () => {
  it('accepts only registry errors, optionally with a code', () => {
    const error = registryErrorFrom({ status: 403 }, what);
    expect(isRegistryError(error)).toBe(true);
    expect(isRegistryError(error, 'ERR_DENIED')).toBe(true);
    expect(isRegistryError(error, 'ERR_IO')).toBe(false);
    expect(isRegistryError(new Error('x'))).toBe(false);
    expect(isRegistryError({ code: 'ERR_DENIED', status: 403, errors: [] })).toBe(false);
  });
});

describe('against the real registry, with skopeo as judge', () => {
  it('reads a missing manifest, blob and repository as containers/image does', async () => {
    const registry = await startRegistry({ mode: 'http' });
    try {
      const get = async (
        path: string,
      ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> => {
        const response = await request(`${registry.url}${path}`);
        return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
      };
      const what = `reading manifest latest in ${registry.host}/foo`;
      const manifest = registryErrorFrom(await get('/v2/foo/manifests/latest'), what, 'manifest');
      expect(manifest.code).toBe('ERR_MANIFEST_UNKNOWN');
      expect(manifest.message).toBe(`${what}: manifest unknown`);
      // skopeo 1.9 still repeats the code text ("manifest unknown: manifest unknown"); newer containers/image does not
      const skopeo = await promisify(execFile)('skopeo', [
        'inspect',
        '--tls-verify=false',
        `docker://${registry.host}/foo:latest`,
      ]).then(
        () => '',
        (error: { stderr?: string }) => error.stderr ?? '',
      );
      expect(skopeo).toContain(manifest.message);
      const blob = registryErrorFrom(await get(`/v2/foo/blobs/sha256:${'a'.repeat(64)}`), 'reading blob', 'blob');
      expect([blob.code, blob.message]).toEqual(['ERR_BLOB_UNKNOWN', 'reading blob: blob unknown to registry']);
      const tags = registryErrorFrom(await get('/v2/foo/tags/list'), 'fetching tags list', 'tags');
      expect([tags.code, tags.message]).toEqual([
        'ERR_MANIFEST_UNKNOWN',
        'fetching tags list: repository name not known to registry',
      ]);
    } finally {
      await registry.stop();
    }
  }, 60_000);
});
