import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTransportConformance } from '@ferry/testkit';
import { afterAll } from 'vitest';
import { dockerTransport } from './index.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
// a registries.d made on first use: a file:// lookaside for every registry, sigstore attachments for this one
let registriesDir: Promise<string> | undefined;
afterAll(async () => {
  const dir = await registriesDir;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function configured(host: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-conformance-registries-d-'));
  await writeFile(
    join(dir, 'signatures.yaml'),
    `default-docker:\n  lookaside: file://${join(dir, 'lookaside')}\ndocker:\n  ${host}:\n    use-sigstore-attachments: true\n`,
  );
  return dir;
}

describeTransportConformance('docker with registries.d signature storage', {
  transport: dockerTransport({ registry: { tlsVerify: false } }),
  newWritableReference: async () => {
    const { host } = await registry();
    registriesDir ??= configured(host);
    const transport = dockerTransport({ registry: { tlsVerify: false, registriesDir: await registriesDir } });
    return transport.parseReference(`//${host}/${freshRepository('ferry-sig-conf')}:latest`);
  },
  // everything else is covered by conformance.test.ts; this run is about signatures
  skip: [
    'dispose-without-commit',
    'zstd-image-round-trip',
    'blob-without-digest',
    'large-blob',
    'put-blob-failures',
    'unknown-blob-and-manifest',
    'concurrent-blob-writes',
    'manifest-list',
    'reuse',
  ],
  timeout: 60_000,
});
