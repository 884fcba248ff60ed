import type { Command } from '../command.ts';

/** `ferry standalone-sign MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT -o SIGNATURE`, as skopeo's. */
export const standaloneSignCommand: Command = {
  name: 'standalone-sign',
  summary: 'Create a signature using local files',
  usage: 'ferry standalone-sign [command options] MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT --output|-o SIGNATURE',
  examples: [
    'ferry standalone-sign -o signature-1 manifest.json registry.example/app:v1 3F2A…C0DE',
    'ferry standalone-sign --pgp-private-key key.asc --passphrase-file pass -o sig manifest.json registry.example/app:v1 -',
  ],
  flags: [
    {
      name: 'output',
      short: 'o',
      type: 'string',
      valueName: 'SIGNATURE',
      description: 'output the signature to SIGNATURE',
    },
    {
      name: 'passphrase-file',
      type: 'string',
      valueName: 'string',
      description: 'file that contains a passphrase for the --sign-by key',
    },
    {
      name: 'pgp-private-key',
      type: 'string',
      valueName: 'PATH',
      description: 'sign with the OpenPGP private key file at PATH instead of gpg (KEY-FINGERPRINT may then be "-")',
    },
  ],
  args: { min: 3, max: 3 },
  async run(context) {
    const { runStandaloneSign } = await import('./standalone-run.ts');
    return runStandaloneSign(context);
  },
};
