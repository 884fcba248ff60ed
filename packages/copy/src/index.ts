/**
 * The copy pipeline: copies an image or a list between any two transports, streaming, verifying,
 * converting and reusing blobs.
 *
 * @packageDocumentation
 */
export { copyImage } from './copy-image.ts';
export type {
  CopyOptions,
  CopyResult,
  DestinationCompression,
  ImageListSelection,
} from './copy-options.ts';
export { insecureAcceptAnythingPolicy } from './policy.ts';
export { createSemaphore, type Semaphore } from './semaphore.ts';
