/**
 * The `dir:` transport: an image as a directory of one file per blob, compatible with skopeo's `dir:`.
 *
 * @packageDocumentation
 */
export {
  blobFileName,
  MANIFEST_FILE,
  manifestFileName,
  signatureFileName,
  VERSION_1_1,
  VERSION_1_2,
  VERSION_FILE,
} from './dir-paths.ts';
export { type DirReference, dirTransport } from './dir-transport.ts';
