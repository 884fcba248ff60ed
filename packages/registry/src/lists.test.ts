import { makeTestImage, writeTestImage } from '@ferry/testkit';
import { isImageError } from '@ferry/types';
import { describe, expect, it } from 'vitest';
import { dockerTransport, listRepositories, listTags } from './index.ts';
import { runTool } from './test-support/run-tool.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
const options = { registry: { tlsVerify: false } };
const transport = dockerTransport(options);

describe('tag lists and the catalog, page by page', () => {
  it('reads every page of the tags (Link: rel="next") and agrees with skopeo', async () => {
    const { host } = await registry();
    const repo = freshRepository('tags');
    const image = makeTestImage({ salt: 'tags' });
    const tags = ['a', 'b', 'c', 'd', 'e', 'v1.0', 'latest'];
    for (const tag of tags) await writeTestImage(transport.parseReference(`//${host}/${repo}:${tag}`), image);
    const paged = await listTags({ domain: host, path: repo }, { ...options, pageSize: 2 });
    expect([...paged].sort()).toEqual([...tags].sort());
    const judged = await runTool('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/${repo}`]);
    expect(judged.code).toBe(0);
    expect([...JSON.parse(judged.stdout).Tags].sort()).toEqual([...tags].sort());
  });

  it('lists repositories across pages', async () => {
    const { host } = await registry();
    const repos = [freshRepository('cat'), freshRepository('cat'), freshRepository('cat')];
    for (const repo of repos) await writeTestImage(transport.parseReference(`//${host}/${repo}:1`), makeTestImage());
    const listed = await listRepositories(host, { ...options, pageSize: 1 });
    for (const repo of repos) expect(listed).toContain(repo);
  });

  it('an unknown repository is ERR_MANIFEST_UNKNOWN-coded and named', async () => {
    const { host } = await registry();
    const error = await listTags({ domain: host, path: 'no/such/repo' }, options).catch((e: unknown) => e);
    expect(isImageError(error, 'ERR_MANIFEST_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('no/such/repo');
  });
});
