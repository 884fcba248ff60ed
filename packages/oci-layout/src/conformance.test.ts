import { join } from 'node:path';
import { describeTransportConformance } from '@ferry/testkit';
import { ociTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociTransport();
describeTransportConformance('oci (named)', {
  transport,
  newWritableReference: async () => transport.parseReference(`${join(await tempDir(), 'layout')}:latest`),
});
describeTransportConformance('oci (unnamed)', {
  transport,
  newWritableReference: async () => transport.parseReference(join(await tempDir(), 'layout')),
});
