import { join } from 'node:path';
import { describeTransportConformance } from '@ferry/testkit';
import { dockerArchiveTransport } from './index.ts';
import { tempDir } from './test-support/temp-dir.ts';

// The suite's round trips write an OCI manifest with gzip layers and expect the same manifest bytes back; a
// docker archive stores no manifest (the source synthesizes a Docker schema 2 one), so those checks are left
// out here and run with a schema 2 image in docker-archive-round-trip.test.ts instead.
const ROUND_TRIPS_WITH_OCI_BYTES = [
  'image-round-trip',
  'zstd-image-round-trip',
  'blob-without-digest',
  'large-blob',
  'put-blob-failures',
  'concurrent-blob-writes',
] as const;

const transport = dockerArchiveTransport();
describeTransportConformance('docker-archive (named)', {
  transport,
  newWritableReference: async () => transport.parseReference(`${join(await tempDir(), 'a.tar')}:busybox:v1`),
  skip: ROUND_TRIPS_WITH_OCI_BYTES,
});
describeTransportConformance('docker-archive (unnamed)', {
  transport,
  newWritableReference: async () => transport.parseReference(join(await tempDir(), 'a.tar')),
  skip: ROUND_TRIPS_WITH_OCI_BYTES,
});
