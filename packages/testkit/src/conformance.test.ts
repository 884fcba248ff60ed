import { describeTransportConformance } from './index.ts';
import { memoryTransport } from './test-support/memory-transport.ts';

const transport = memoryTransport();
let counter = 0;
describeTransportConformance('memory', {
  transport,
  newWritableReference: async () => transport.parseReference(`image-${++counter}`),
});
