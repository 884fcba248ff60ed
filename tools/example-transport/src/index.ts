/**
 * `cas-dir:`, an example third-party transport for Ferry, written against the public contract of
 * `@ferry/types` only. Read the README for the guide.
 *
 * @packageDocumentation
 */
export { type CasDirReference, parseCasDirReference } from './cas-dir-reference.ts';
export { casDirTransport } from './cas-dir-transport.ts';
