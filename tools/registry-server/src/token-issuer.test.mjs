import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libtrustKeyId } from './libtrust-key-id.mjs';
import { generateIssuerCert } from './test-certs.mjs';
import { startTokenIssuer } from './token-issuer.mjs';
import { parseScopes } from './token-scope.mjs';

/** @param {(issuer: import('./token-issuer.mjs').TokenIssuer, certFile: string) => Promise<void>} body */
async function withIssuer(body) {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-issuer-test-'));
  const signing = await generateIssuerCert(dir);
  const issuer = await startTokenIssuer({ ...signing, users: { alice: 's3cret' }, service: 'svc', issuer: 'iss' });
  try {
    await body(issuer, signing.certFile);
  } finally {
    await issuer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** @param {string} url @param {Record<string, string>} form */
function post(url, form) {
  return fetch(url, { method: 'POST', body: new URLSearchParams(form) });
}

describe('parseScopes', () => {
  it('splits type, name and actions, keeps a colon in the name and skips malformed scopes', () => {
    expect(parseScopes(['repository:a/b:pull,push registry:catalog:*', 'repository:host:5000/x:pull', 'bad'])).toEqual([
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
      { type: 'repository', name: 'host:5000/x', actions: ['pull'] },
    ]);
  });
});

describe('startTokenIssuer', () => {
  it('signs RS256 tokens with a libtrust kid and the requested access', async () => {
    await withIssuer(async (issuer, certFile) => {
      const basic = Buffer.from('alice:s3cret').toString('base64');
      const res = await fetch(`${issuer.realm}?service=svc&scope=repository:a/b:pull,push`, {
        headers: { authorization: `Basic ${basic}` },
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.access_token).toBe(body.token);
      expect(body.expires_in).toBe(300);
      const [header, payload, signature] = String(body.token).split('.');
      const publicKey = createPublicKey(await readFile(certFile));
      const signed = Buffer.from(`${header}.${payload}`);
      expect(verify('sha256', signed, publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
      const jose = JSON.parse(Buffer.from(header ?? '', 'base64url').toString());
      expect(jose).toEqual({ typ: 'JWT', alg: 'RS256', kid: libtrustKeyId(publicKey) });
      expect(jose.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
      expect(claims).toMatchObject({ iss: 'iss', aud: 'svc', sub: 'alice' });
      expect(claims.access).toEqual([{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }]);
    });
  });

  it('refuses wrong or missing credentials with 401 and records no secret', async () => {
    await withIssuer(async (issuer) => {
      const wrong = Buffer.from('alice:nope').toString('base64');
      expect((await fetch(issuer.realm, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
      expect((await fetch(issuer.realm)).status).toBe(401);
      expect((await post(issuer.realm, { grant_type: 'password', username: 'alice', password: 'x' })).status).toBe(401);
      expect(issuer.requests().map((request) => request.status)).toEqual([401, 401, 401]);
      expect(JSON.stringify(issuer.requests())).not.toContain('nope');
    });
  });

  it('supports the OAuth2 password grant with a refresh token, then the refresh grant', async () => {
    await withIssuer(async (issuer) => {
      const first = await post(issuer.realm, {
        grant_type: 'password',
        username: 'alice',
        password: 's3cret',
        access_type: 'offline',
        service: 'svc',
        scope: 'repository:a:pull',
      });
      expect(first.status).toBe(200);
      const { refresh_token: refreshToken, access_token: accessToken } = await first.json();
      expect(typeof refreshToken).toBe('string');
      expect(typeof accessToken).toBe('string');
      const again = await post(issuer.realm, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        scope: 'x:y:z',
      });
      expect(again.status).toBe(200);
      expect((await post(issuer.realm, { grant_type: 'refresh_token', refresh_token: 'forged' })).status).toBe(401);
    });
  });
});
