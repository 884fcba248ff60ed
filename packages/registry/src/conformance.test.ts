import { describeTransportConformance } from '@ferry/testkit';
import { dockerTransport } from './index.ts';
import { freshRepository, sharedRegistry } from './test-support/test-registry.ts';

const registry = sharedRegistry('http');
const transport = dockerTransport({ registry: { tlsVerify: false } });

describeTransportConformance('docker (distribution 2.8, plain HTTP)', {
  transport,
  newWritableReference: async () =>
    transport.parseReference(`//${(await registry()).host}/${freshRepository()}:latest`),
  // a registry publishes every manifest when it is put, so there is nothing for dispose to take back;
  // signatures come with the signature support
  skip: ['dispose-without-commit', 'signatures'],
  timeout: 60_000,
});
