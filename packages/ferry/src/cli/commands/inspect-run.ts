import { layerInfos, manifestDigest } from '@ferry/manifest';
import { listTags } from '@ferry/registry';
import { ImageError, type ImageReference, type SystemOptions } from '@ferry/types';
import { asInternalSource } from '@ferry/types/internal';
import type { CommandContext } from '../command.ts';
import { boolFlag, systemOptionsFrom } from './copy-options.ts';
import { readConfig, resolveImage } from './read-image.ts';
import { registryOptionsFrom } from './registry-flags.ts';

/** Runs `ferry inspect` (see inspect.ts for its flags). */
export async function runInspect({ args, io, signal, transports: loadTransports }: CommandContext): Promise<number> {
  const transports = await loadTransports();
  const system = { ...systemOptionsFrom(args, signal), registry: registryOptionsFrom(args, '', 'inspect') };
  const ref = transports.parse(args.positionals[0] as string);
  await using source = asInternalSource(await ref.newImageSource(system));
  const raw = boolFlag(args, 'raw');
  const wantConfig = boolFlag(args, 'config');
  if (raw && !wantConfig) {
    // the top-level manifest exactly as stored, as skopeo prints it (no newline added)
    io.stdout(new TextDecoder().decode((await source.getManifest(undefined, { signal })).bytes));
    return 0;
  }
  const { top, image } = await resolveImage(source, system.platform, { signal });
  const configBytes = await readConfig(source, image, { signal });
  const config = parseConfigJson(configBytes ?? schema1Config(image));
  if (wantConfig) {
    io.stdout(
      raw && configBytes !== undefined ? new TextDecoder().decode(configBytes) : `${JSON.stringify(config, null, 4)}\n`,
    );
    return 0;
  }
  const inner = (config.config ?? {}) as { Labels?: unknown; Env?: unknown };
  const output = {
    ...(ref.dockerReference !== undefined && { Name: ref.dockerReference.name }),
    Digest: manifestDigest(top.bytes),
    RepoTags: ref.transport.name === 'docker' && !boolFlag(args, 'no-tags') ? await repoTags(ref, system) : [],
    Created: config.created ?? null,
    DockerVersion: config.docker_version ?? '',
    Labels: inner.Labels ?? null,
    Architecture: config.architecture ?? '',
    ...(typeof config.variant === 'string' && config.variant !== '' && { Variant: config.variant }),
    Os: config.os ?? '',
    Layers: layerInfos(image).map((l) => l.digest),
    Env: inner.Env ?? null,
  };
  io.stdout(`${JSON.stringify(output, null, 4)}\n`);
  return 0;
}

type ConfigJson = Record<string, unknown> & {
  created?: unknown;
  docker_version?: unknown;
  architecture?: unknown;
  variant?: unknown;
  os?: unknown;
  config?: unknown;
};

function parseConfigJson(bytes: Uint8Array | string): ConfigJson {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)) as ConfigJson;
  } catch (cause) {
    throw new ImageError('ERR_INVALID_IMAGE', 'image config is not valid JSON', { cause });
  }
}

// schema 1 has no config blob: the newest history entry's v1Compatibility plays its part
function schema1Config(image: Parameters<typeof layerInfos>[0]): string {
  if (image.kind !== 'docker-schema1') return '{}';
  return image.history[0]?.v1Compatibility ?? '{}';
}

// skopeo lists the repository's tags for docker:// images (and only there)
async function repoTags(ref: ImageReference, system: SystemOptions): Promise<string[]> {
  const name = ref.dockerReference;
  if (name === undefined) return [];
  return listTags({ domain: name.domain, path: name.path }, system);
}
