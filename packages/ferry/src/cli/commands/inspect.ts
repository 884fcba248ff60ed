import type { Command } from '../command.ts';
import { RETRY_FLAGS, registryFlagSpecs } from './registry-flags.ts';

/** `ferry inspect IMAGE-NAME`, as `skopeo inspect`: JSON on stdout, `--raw` and `--config` as skopeo's. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Inspect image IMAGE-NAME',
  usage: 'ferry inspect [command options] IMAGE-NAME',
  examples: [
    'ferry inspect docker://registry.example.com/app:v1',
    'ferry inspect oci:/srv/layout:v1',
    'ferry inspect --config docker-archive:/tmp/app.tar',
  ],
  flags: [
    { name: 'config', type: 'boolean', description: 'output configuration' },
    {
      name: 'no-tags',
      short: 'n',
      type: 'boolean',
      description: 'Do not list the available tags from the repository in the output',
    },
    { name: 'raw', type: 'boolean', description: 'output raw manifest or configuration' },
    ...registryFlagSpecs(''),
    ...RETRY_FLAGS,
  ],
  args: { min: 1, max: 1 },
  async run(context) {
    const { runInspect } = await import('./inspect-run.ts');
    return runInspect(context);
  },
};
