import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTransportConformance } from '@ferry/testkit';
import { afterAll } from 'vitest';
import { dockerTransport } from './index.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
// a registries.d made on first use: a file:// lookaside for every registry, sigstore attachments for this
// one, so that the signatures check stores both kinds
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

describeTransportConformance('docker (distribution 2.8, plain HTTP, registries.d signature storage)', {
  transport: dockerTransport({ registry: { tlsVerify: false } }),
  newWritableReference: async () => {
    const { host } = await registry();
    registriesDir ??= configured(host);
    const transport = dockerTransport({ registry: { tlsVerify: false, registriesDir: await registriesDir } });
    return transport.parseReference(`//${host}/${freshRepository()}:latest`);
  },
  // a registry publishes every manifest when it is put, so there is nothing for dispose to take back
  skip: ['dispose-without-commit'],
  timeout: 60_000,
});
