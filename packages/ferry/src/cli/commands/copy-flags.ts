import type { FlagSpec } from '../flags.ts';
import { AUTHFILE_HELP, RETRY_FLAGS, registryFlagSpecs } from './registry-flags.ts';
import { SIGN_FLAGS } from './sign-flags.ts';

/** `ferry copy` flags, named and worded as skopeo's. */
export const COPY_FLAGS: readonly FlagSpec[] = [
  {
    name: 'additional-tag',
    type: 'string[]',
    valueName: 'strings',
    description: 'additional tags (supports docker-archive)',
  },
  { name: 'all', short: 'a', type: 'boolean', description: 'Copy all images if SOURCE-IMAGE is a list' },
  {
    name: 'dest-compress',
    type: 'boolean',
    description:
      "Compress tarball image layers when saving to directory using the 'dir' transport. (default is same compression type as source)",
  },
  {
    name: 'dest-compress-format',
    type: 'string',
    valueName: 'FORMAT',
    description: 'FORMAT to use for the compression (gzip or zstd)',
  },
  { name: 'dest-compress-level', type: 'string', valueName: 'LEVEL', description: 'LEVEL to use for the compression' },
  {
    name: 'dest-decompress',
    type: 'boolean',
    description:
      "Decompress tarball image layers when saving to directory using the 'dir' transport. (default is same compression type as source)",
  },
  {
    name: 'dest-oci-accept-uncompressed-layers',
    type: 'boolean',
    description:
      "Allow uncompressed image layers when saving to an OCI image using the 'oci' transport. (default is to compress things that aren't compressed)",
  },
  {
    name: 'digestfile',
    type: 'string',
    valueName: 'string',
    description: 'Write the digest of the pushed image to the specified file',
  },
  {
    name: 'format',
    short: 'f',
    type: 'string',
    valueName: 'string',
    description:
      'MANIFEST TYPE (oci, v2s1, or v2s2) to use in the destination (default is manifest type of source, with fallbacks)',
  },
  {
    name: 'image-parallel-copies',
    type: 'string',
    valueName: 'uint',
    description: 'Maximum number of image layers to be copied (pulled/pushed) simultaneously (default 6)',
  },
  {
    name: 'multi-arch',
    type: 'string',
    valueName: 'string',
    description: 'How to handle multi-architecture images (system, all, or index-only)',
  },
  { name: 'preserve-digests', type: 'boolean', description: 'Preserve digests of images and lists' },
  {
    name: 'progress',
    type: 'string',
    valueName: 'MODE',
    description:
      'Progress on stderr: auto (bars on a terminal, lines otherwise), lines, json (one event per line) or none',
  },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Suppress output information when copying images' },
  { name: 'remove-signatures', type: 'boolean', description: 'Do not copy signatures from SOURCE-IMAGE' },
  ...SIGN_FLAGS,
  {
    name: 'authfile',
    type: 'string',
    valueName: 'string',
    description: AUTHFILE_HELP,
  },
  ...registryFlagSpecs('src-'),
  ...registryFlagSpecs('dest-'),
  ...RETRY_FLAGS,
];
