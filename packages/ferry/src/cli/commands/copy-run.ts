import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { copyImage, defaultBlobInfoCachePath, lazyBlobInfoCache } from '@ferry/copy';
import { ImageError } from '@ferry/types';
import type { CliIO, CommandContext } from '../command.ts';
import { startGcPacer } from '../gc-pacer.ts';
import { barRenderer } from '../progress/bar-renderer.ts';
import { jsonRenderer, linesRenderer, type ProgressRenderer, silentRenderer } from '../progress/progress-renderer.ts';
import { UsageError } from '../usage-error.ts';
import { boolFlag, copyOptionsFrom, stringFlag } from './copy-options.ts';
import { policyFrom } from './policy-flags.ts';
import { signersFrom, signIdentityFrom } from './sign-flags.ts';

/** Runs `ferry copy` (see {@link copyCommand} in copy.ts for its flags). */
export async function runCopy({ args, io, signal, transports: loadTransports }: CommandContext): Promise<number> {
  const transports = await loadTransports();
  const [srcText, destText] = args.positionals as [string, string];
  const options = copyOptionsFrom(args, signal);
  const signIdentity = signIdentityFrom(args);
  // as skopeo: the policy is read first, so a missing or broken one fails before anything is opened
  const policy = await policyFrom(args, io, signal);
  const signers = await signersFrom(args, io, signal);
  const src = transports.parse(srcText);
  const dest = transports.parse(destText);
  const renderer = rendererFor(args.flags.get('progress') as string | undefined, boolFlag(args, 'quiet'), io);
  let result: Awaited<ReturnType<typeof copyImage>>;
  // remembers where blobs were seen, so a later copy to the same registry mounts instead of uploading
  // (read only when the copy first asks it something: a local copy of blobs already there never does)
  await using blobInfoCache = lazyBlobInfoCache({ path: defaultBlobInfoCachePath(io.env, homedir()) });
  const stopGc = startGcPacer();
  try {
    result = await copyImage(policy, dest, src, {
      ...options,
      // a registry keeps every blob its manifests name, so a manifest already there under the same digest is
      // the whole image: one manifest request instead of a HEAD per blob (60 for a 60-layer image), with the
      // same result. Not for local destinations, where a blob may have been deleted by hand and a copy
      // repairs it (and checking their blobs costs no requests)
      optimizeDestinationImageAlreadyExists: dest.transport.name === 'docker',
      ...(signers.length > 0 && { signers }),
      ...(signIdentity !== undefined && { signIdentity }),
      blobInfoCache,
      reportWriter: (line) => renderer.report(line),
      onProgress: (event) => renderer.event(event),
    });
  } finally {
    stopGc();
    renderer.finish();
  }
  const digestFile = stringFlag(args, 'digestfile');
  if (digestFile !== undefined) {
    try {
      await writeFile(resolve(io.cwd, digestFile), result.digest, { signal });
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw new ImageError('ERR_IO', `writing digest file ${digestFile}: ${(cause as Error).message}`, { cause });
    }
  }
  return 0;
}

function rendererFor(mode: string | undefined, quiet: boolean, io: CliIO): ProgressRenderer {
  if (quiet && mode !== 'json') return silentRenderer();
  switch (mode ?? 'auto') {
    case 'auto':
      return io.stderrIsTTY === true ? barRenderer(io.stderr) : linesRenderer(io.stderr);
    case 'bars':
      return barRenderer(io.stderr);
    case 'lines':
      return linesRenderer(io.stderr);
    case 'json':
      return jsonRenderer(io.stderr);
    case 'none':
      return silentRenderer();
    default:
      throw new UsageError(
        `unknown progress mode ${JSON.stringify(mode)}: use auto, bars, lines, json or none`,
        'copy',
      );
  }
}
