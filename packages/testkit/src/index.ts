/**
 * The conformance suite every Ferry transport passes, and helpers for transport tests.
 *
 * @packageDocumentation
 */
export { type ConformanceCheck, type ConformanceOptions, isOrWraps, withSource } from './conformance-options.ts';
export { expectImage, testSignatures, traitsOf } from './conformance-round-trips.ts';
export { describeTransportConformance } from './describe-transport-conformance.ts';
export { startFaultProxy } from './fault-proxy.ts';
export type {
  FaultAction,
  FaultKind,
  FaultMethod,
  FaultProxy,
  FaultProxyOptions,
  FaultProxyRequest,
  FaultRule,
} from './fault-proxy-types.ts';
export { collectBytes, failingStream, pseudoRandomStream, streamOf } from './streams.ts';
export {
  digestOf,
  makeTestImage,
  makeTestImageList,
  type TestBlob,
  type TestImage,
  type TestImageList,
  type TestImageOptions,
} from './test-image.ts';
export { makeTar, type TarEntry } from './ustar.ts';
export { putImage, type WriteTestImageOptions, writeTestImage, writeTestImageList } from './write-test-image.ts';
