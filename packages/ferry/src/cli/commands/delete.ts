import type { Command } from '../command.ts';
import { RETRY_FLAGS, registryFlagSpecs } from './registry-flags.ts';

/** `ferry delete IMAGE-NAME`, as `skopeo delete`: removes the image where its transport allows it. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete image IMAGE-NAME',
  usage: 'ferry delete [command options] IMAGE-NAME',
  examples: ['ferry delete docker://registry.example.com/example/pause:latest'],
  flags: [...registryFlagSpecs(''), ...RETRY_FLAGS],
  args: { min: 1, max: 1 },
  async run(context) {
    const { runDelete } = await import('./delete-run.ts');
    return runDelete(context);
  },
};
