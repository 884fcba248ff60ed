import type { Command } from '../command.ts';
import { RETRY_FLAGS, registryFlagSpecs } from './registry-flags.ts';

/** `ferry list-tags SOURCE-IMAGE`, as `skopeo list-tags`: a repository's tags as JSON on stdout. */
export const listTagsCommand: Command = {
  name: 'list-tags',
  summary: 'List tags in the transport/repository specified by the SOURCE-IMAGE',
  usage: 'ferry list-tags [command options] SOURCE-IMAGE',
  examples: ['ferry list-tags docker://docker.io/fedora', 'ferry list-tags docker-archive:/tmp/images.tar'],
  flags: [...registryFlagSpecs(''), ...RETRY_FLAGS],
  args: { min: 1, max: 1 },
  async run(context) {
    const { runListTags } = await import('./list-tags-run.ts');
    return runListTags(context);
  },
};
