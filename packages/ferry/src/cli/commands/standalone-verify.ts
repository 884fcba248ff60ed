import type { Command } from '../command.ts';

/** `ferry standalone-verify MANIFEST DOCKER-REFERENCE KEY-FINGERPRINTS SIGNATURE`, as skopeo's. */
export const standaloneVerifyCommand: Command = {
  name: 'standalone-verify',
  summary: 'Verify a signature using local files',
  usage: 'ferry standalone-verify [command options] MANIFEST DOCKER-REFERENCE KEY-FINGERPRINTS SIGNATURE',
  examples: [
    'ferry standalone-verify manifest.json registry.example/app:v1 3F2A…C0DE signature-1',
    'ferry standalone-verify --public-key-file keys.gpg manifest.json registry.example/app:v1 any signature-1',
  ],
  flags: [
    {
      name: 'public-key-file',
      type: 'string',
      valueName: 'string',
      description: 'File containing public keys. If not specified, will use local GPG keys.',
    },
  ],
  args: { min: 4, max: 4 },
  async run(context) {
    const { runStandaloneVerify } = await import('./standalone-run.ts');
    return runStandaloneVerify(context);
  },
};
