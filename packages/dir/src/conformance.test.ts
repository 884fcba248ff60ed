import { join } from 'node:path';
import { describeTransportConformance } from '@ferry/testkit';
import { dirTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = dirTransport();
describeTransportConformance('dir', {
  transport,
  newWritableReference: async () => transport.parseReference(join(await tempDir(), 'image')),
});
