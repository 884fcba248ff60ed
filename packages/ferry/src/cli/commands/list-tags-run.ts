import { resolve } from 'node:path';
import { isNameOnly, isTagged, parseNormalizedNamed } from '@ferry/reference';
import { listTags } from '@ferry/registry';
import { type DockerArchiveReference, openDockerArchive } from '@ferry/tarfile';
import { ImageError, isImageError } from '@ferry/types';
import type { CommandContext } from '../command.ts';
import { systemOptionsFrom } from './copy-options.ts';
import { registryOptionsFrom } from './registry-flags.ts';

const SUPPORTED = ['docker', 'docker-archive'];

/** skopeo's output: `Repository` is left out for archives. */
interface TagList {
  readonly Repository?: string;
  readonly Tags: readonly string[];
}

/** Runs `ferry list-tags` (see list-tags.ts for its flags). */
export async function runListTags(context: CommandContext): Promise<number> {
  const text = context.args.positionals[0] as string;
  const colon = text.indexOf(':');
  const name = colon === -1 ? undefined : text.slice(0, colon);
  const transports = await context.transports();
  if (name === undefined || transports.get(name) === undefined) {
    throw new ImageError('ERR_UNKNOWN_TRANSPORT', `Invalid ${JSON.stringify(text)}: does not specify a transport`);
  }
  if (!SUPPORTED.includes(name)) {
    throw new ImageError(
      'ERR_NOT_IMPLEMENTED',
      `Unsupported transport '${name}' for tag listing. Only supported: ${SUPPORTED.join(', ')}`,
    );
  }
  const output =
    name === 'docker'
      ? await registryTags(context, text)
      : await archiveTags(context, transports.parse(text) as DockerArchiveReference);
  context.io.stdout(`${JSON.stringify(output, null, 4)}\n`);
  return 0;
}

async function registryTags({ args, signal }: CommandContext, text: string): Promise<TagList> {
  // parsed here rather than by the transport, which would add `:latest` and hide a tag given by the user
  if (!text.startsWith('docker://')) {
    throw new ImageError('ERR_INVALID_REFERENCE', `docker: image reference ${text} does not start with docker://`);
  }
  const ref = parseNormalizedNamed(text.slice('docker://'.length));
  if (!isNameOnly(ref)) throw new ImageError('ERR_INVALID_REFERENCE', 'No tag or digest allowed in reference');
  const system = { ...systemOptionsFrom(args, signal), registry: registryOptionsFrom(args, '', 'list-tags') };
  try {
    return { Repository: ref.name, Tags: await listTags({ domain: ref.domain, path: ref.path }, system) };
  } catch (cause) {
    if (signal.aborted && cause === signal.reason) throw cause;
    if (!isImageError(cause)) throw cause;
    throw new ImageError(cause.code, `Error listing repository tags: ${cause.message}`, { cause });
  }
}

// every tag of every image in the archive, normalized, in manifest.json order
async function archiveTags({ io, signal }: CommandContext, ref: DockerArchiveReference): Promise<TagList> {
  const { path } = ref;
  await using reader = await openDockerArchive(path === '-' ? path : resolve(io.cwd, path), { signal });
  const tags: string[] = [];
  for (const [index, item] of reader.items.entries()) {
    for (const tag of item.RepoTags) tags.push(parseArchiveTag(tag, index));
  }
  return { Tags: tags };
}

function parseArchiveTag(tag: string, index: number): string {
  let parsed: ReturnType<typeof parseNormalizedNamed>;
  try {
    parsed = parseNormalizedNamed(tag);
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', `Invalid tag ${JSON.stringify(tag)} in manifest item @${index}`, {
      cause,
    });
  }
  if (!isTagged(parsed)) {
    throw new ImageError('ERR_INVALID_IMAGE', `Invalid tag ${tag} (${parsed.toString()}): does not contain a tag`);
  }
  return parsed.toString();
}
