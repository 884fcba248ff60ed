/**
 * openpgp.js, loaded on first use: it is the largest part of this package (about 1 MB), and most copies
 * never check or make an OpenPGP signature.
 */
export function loadOpenPgp(): Promise<typeof import('openpgp')> {
  return import('openpgp');
}
