import { join } from 'node:path';
import { describeTransportConformance } from '@ferry/testkit';
import { ociArchiveTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

const transport = ociArchiveTransport();
describeTransportConformance('oci-archive (named)', {
  transport,
  newWritableReference: async () => transport.parseReference(`${join(await tempDir(), 'image.tar')}:latest`),
});
describeTransportConformance('oci-archive (unnamed)', {
  transport,
  newWritableReference: async () => transport.parseReference(join(await tempDir(), 'image.tar')),
});
