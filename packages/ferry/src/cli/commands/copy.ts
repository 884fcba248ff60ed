import type { Command } from '../command.ts';
import { COPY_FLAGS } from './copy-flags.ts';

/** `ferry copy SOURCE-IMAGE DESTINATION-IMAGE`, as `skopeo copy`. */
export const copyCommand: Command = {
  name: 'copy',
  summary: 'Copy an IMAGE-NAME from one location to another',
  usage: 'ferry copy [command options] SOURCE-IMAGE DESTINATION-IMAGE',
  examples: [
    'ferry copy oci:/srv/layout:v1 docker-archive:/tmp/app.tar:app:v1',
    'ferry copy --all --dest-compress-format zstd oci:/srv/a:v1 oci:/srv/b:v1',
  ],
  flags: COPY_FLAGS,
  args: { min: 2, max: 2 },
  async run(context) {
    // loaded on use, so `ferry --help` and `--version` start without the copy engine and transports
    const { runCopy } = await import('./copy-run.ts');
    return runCopy(context);
  },
};
