import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { defaultBlobInfoCachePath, lazyBlobInfoCache } from '@ferry/copy';
import { type Descriptor, parseManifest } from '@ferry/manifest';
import {
  addFromReference,
  type InstanceChanges,
  type ListStore,
  ManifestList,
  openListStore,
  pushManifestList,
  type StoredList,
} from '@ferry/manifests-list';
import {
  type Digest,
  ImageError,
  type ImageReference,
  isImageError,
  parseDigest,
  type SystemOptions,
  type TransportRegistry,
} from '@ferry/types';
import type { CommandContext } from '../command.ts';
import type { ParsedArgs } from '../flags.ts';
import { linesRenderer, silentRenderer } from '../progress/progress-renderer.ts';
import { UsageError } from '../usage-error.ts';
import { policyFrom } from './policy-flags.ts';
import { registryOptionsFrom } from './registry-flags.ts';
import { signersFrom, signIdentityFrom } from './sign-flags.ts';

type Run = (context: CommandContext, store: ListStore) => Promise<number>;

const RUNS: Readonly<Record<string, Run>> = {
  create: runCreate,
  add: runAdd,
  remove: runRemove,
  annotate: runAnnotate,
  inspect: runInspect,
  push: runPush,
  rm: runRm,
  exists: runExists,
};

/** Runs `ferry manifest NAME …` for the sub-command `name`. */
export async function runManifest(name: string, context: CommandContext): Promise<number> {
  const run = RUNS[name];
  if (run === undefined)
    throw new UsageError(`unknown command ${JSON.stringify(name)} for "ferry manifest"`, 'manifest');
  return run(context, openListStore({ env: context.io.env }));
}

async function runCreate(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  const [name, ...images] = args.positionals as [string, ...string[]];
  const amend = args.flags.get('amend') === true;
  const refs = await parseImages(context, images);
  const system = systemOptions(args, signal, 'manifest create');
  let list = ManifestList.empty();
  const origins = new Map<Digest, string>();
  for (const ref of refs) {
    const added = await addFromReference(list, ref, {
      all: args.flags.get('all') === true,
      systemOptions: system,
      signal,
    });
    list = added.list;
    for (const [digest, origin] of added.origins) origins.set(digest, origin);
  }
  if (amend && (await store.exists(name, { signal }))) {
    const updated = await store.update(
      name,
      (current) => {
        let merged = current.list;
        const mergedOrigins = new Map(current.origins);
        for (const instance of list.instances) merged = merged.add(instance);
        for (const [digest, origin] of origins) mergedOrigins.set(digest, origin);
        return { name, list: merged, origins: mergedOrigins };
      },
      { signal },
    );
    io.stdout(`${listId(updated)}\n`);
    return 0;
  }
  const created: StoredList = { name, list, origins };
  await store.create(created, { signal, amend });
  io.stdout(`${listId(created)}\n`);
  return 0;
}

async function runAdd(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  const [name, image] = args.positionals as [string, string];
  const [ref] = await parseImages(context, [image]);
  if (ref === undefined) throw new UsageError('an IMAGE to add is needed', 'manifest add');
  const changes = instanceChanges(args, 'manifest add');
  const system = systemOptions(args, signal, 'manifest add');
  // read the image before taking the list's lock: the lock is held only for the read-modify-write
  const probe = await addFromReference(ManifestList.empty(), ref, {
    all: args.flags.get('all') === true,
    systemOptions: system,
    signal,
  });
  if (changes !== undefined && probe.added.length !== 1) {
    throw new UsageError('platform and annotation overrides need a single image; drop --all', 'manifest add');
  }
  const updated = await store.update(
    name,
    (current) => {
      let list = current.list;
      const origins = new Map(current.origins);
      for (const instance of probe.added) {
        list = list.add(instance);
        if (changes !== undefined) list = list.annotate(instance.digest, changes);
        const origin = probe.origins.get(instance.digest);
        if (origin !== undefined) origins.set(instance.digest, origin);
      }
      return { name, list, origins };
    },
    { signal },
  );
  io.stdout(`${listId(updated)}\n`);
  return 0;
}

async function runRemove(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  const [name, digestText] = args.positionals as [string, string];
  const digest = parseDigest(digestText);
  const updated = await store.update(
    name,
    (current) => {
      const origins = new Map(current.origins);
      origins.delete(digest);
      return { name, list: current.list.remove(digest), origins };
    },
    { signal },
  );
  io.stdout(`${listId(updated)}\n`);
  return 0;
}

async function runAnnotate(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  const [name, digestText] = args.positionals as [string, string | undefined];
  const onIndex = args.flags.get('index') === true;
  if (onIndex === (digestText !== undefined)) {
    throw new UsageError(
      'give either a DIGEST to annotate an entry, or --index to annotate the list',
      'manifest annotate',
    );
  }
  const subjectText = args.flags.get('subject') as string | undefined;
  const artifactType = args.flags.get('artifact-type') as string | undefined;
  const annotations = annotationsFrom(args, 'manifest annotate');
  const updated = await store.update(
    name,
    async (current) => {
      if (onIndex) {
        const subject = subjectText === undefined ? undefined : await subjectDescriptor(context, subjectText);
        return {
          ...current,
          list: current.list.annotateList({
            ...(annotations !== undefined && { annotations }),
            ...(subject !== undefined && { subject }),
            ...(artifactType !== undefined && { artifactType }),
          }),
        };
      }
      const changes = instanceChanges(args, 'manifest annotate') ?? {};
      const digest = parseDigest(digestText as string);
      return {
        ...current,
        list: current.list.annotate(digest, { ...changes, ...(artifactType !== undefined && { artifactType }) }),
      };
    },
    { signal },
  );
  io.stdout(`${listId(updated)}\n`);
  return 0;
}

async function runInspect(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  const [nameOrImage] = args.positionals as [string];
  let bytes: Uint8Array;
  if (await store.exists(nameOrImage, { signal })) {
    const stored = await store.load(nameOrImage, { signal });
    bytes = stored.list.serialize(stored.list.format).bytes;
  } else {
    const [ref] = await parseImages(context, [nameOrImage]);
    if (ref === undefined) throw new UsageError('a NAME or IMAGE is needed', 'manifest inspect');
    await using source = await ref.newImageSource(systemOptions(args, signal, 'manifest inspect'));
    bytes = (await source.getManifest(undefined, { signal })).bytes;
  }
  // as podman: the list as indented JSON
  io.stdout(`${JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 4)}\n`);
  return 0;
}

async function runPush(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  const [name, destinationText] = args.positionals as [string, string];
  const format = args.flags.get('format') as string | undefined;
  if (format !== undefined && format !== 'oci' && format !== 'v2s2') {
    throw new UsageError(`unknown format "${format}": use oci or v2s2`, 'manifest push');
  }
  const transports = await context.transports();
  const [destination] = await parseImages(context, [destinationText]);
  if (destination === undefined) throw new UsageError('a DESTINATION is needed', 'manifest push');
  const signIdentity = signIdentityFrom(args, 'manifest push');
  const policy = await policyFrom(args, io, signal);
  const signers = await signersFrom(args, io, signal, 'manifest push');
  const stored = await store.load(name, { signal });
  const system = systemOptions(args, signal, 'manifest push');
  const quiet = args.flags.get('quiet') === true;
  const renderer = quiet ? silentRenderer() : linesRenderer(io.stderr);
  await using blobInfoCache = lazyBlobInfoCache({ path: defaultBlobInfoCachePath(io.env, homedir()) });
  let digest: Digest;
  try {
    const result = await pushManifestList(policy, stored, destination, {
      resolveOrigin: (text) => parseOrigin(transports, text),
      ...(format !== undefined && { format }),
      selection: args.flags.get('all') === false ? 'list-only' : 'all',
      signal,
      sourceOptions: system,
      destinationOptions: system,
      removeSignatures: args.flags.get('remove-signatures') === true,
      ...(signers.length > 0 && { signers }),
      ...(signIdentity !== undefined && { signIdentity }),
      blobInfoCache,
      reportWriter: (line) => renderer.report(line),
      onProgress: (event) => renderer.event(event),
    });
    digest = result.digest;
  } finally {
    renderer.finish();
  }
  const digestFile = args.flags.get('digestfile') as string | undefined;
  if (digestFile !== undefined) {
    try {
      await writeFile(resolve(io.cwd, digestFile), digest, { signal });
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw new ImageError('ERR_IO', `writing digest file ${digestFile}: ${(cause as Error).message}`, { cause });
    }
  }
  if (args.flags.get('rm') === true) await store.remove(name, { signal });
  return 0;
}

async function runRm(context: CommandContext, store: ListStore): Promise<number> {
  const { args, io, signal } = context;
  let failed = false;
  for (const name of args.positionals) {
    try {
      await store.remove(name, { signal });
      io.stdout(`${name}\n`);
    } catch (error) {
      if (!isImageError(error, 'ERR_LIST_UNKNOWN')) throw error;
      io.stderr(`ferry: ${error.message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

async function runExists(context: CommandContext, store: ListStore): Promise<number> {
  const [name] = context.args.positionals as [string];
  return (await store.exists(name, { signal: context.signal })) ? 0 : 1;
}

/** Image names as podman takes them: `transport:reference`, or a registry reference meaning `docker://`. */
async function parseImages(context: CommandContext, texts: readonly string[]): Promise<ImageReference[]> {
  const transports = await context.transports();
  return texts.map((text) => parseOrigin(transports, text));
}

function parseOrigin(transports: TransportRegistry, text: string): ImageReference {
  try {
    return transports.parse(text);
  } catch (error) {
    if (!isImageError(error, 'ERR_UNKNOWN_TRANSPORT') && !isImageError(error, 'ERR_INVALID_REFERENCE')) throw error;
    if (text.includes('://') || text.startsWith('/')) throw error;
    try {
      return transports.parse(`docker://${text}`);
    } catch {
      throw error;
    }
  }
}

function systemOptions(args: ParsedArgs, signal: AbortSignal, command: string): SystemOptions {
  return { signal, registry: registryOptionsFrom(args, '', command) };
}

function instanceChanges(args: ParsedArgs, command: string): InstanceChanges | undefined {
  const text = (name: string): string | undefined => args.flags.get(name) as string | undefined;
  const list = (name: string): readonly string[] | undefined => args.flags.get(name) as readonly string[] | undefined;
  const annotations = annotationsFrom(args, command);
  const changes: InstanceChanges = {
    ...(text('os') !== undefined && { os: text('os') as string }),
    ...(text('arch') !== undefined && { architecture: text('arch') as string }),
    ...(text('variant') !== undefined && { variant: text('variant') as string }),
    ...(text('os-version') !== undefined && { osVersion: text('os-version') as string }),
    ...(list('os-features') !== undefined && { osFeatures: splitList(list('os-features') as readonly string[]) }),
    ...(list('features') !== undefined && { features: splitList(list('features') as readonly string[]) }),
    ...(annotations !== undefined && { annotations }),
  };
  return Object.keys(changes).length === 0 ? undefined : changes;
}

function annotationsFrom(args: ParsedArgs, command: string): Record<string, string> | undefined {
  const given = args.flags.get('annotation') as readonly string[] | undefined;
  if (given === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const item of given) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`no value given for annotation ${JSON.stringify(item)}: use KEY=VALUE`, command);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

// cobra string slices: repeated flags and comma-separated values
function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).filter((v) => v !== '');
}

// as podman's --subject: the manifest an image reference names (an instance digest of the list also works)
async function subjectDescriptor(context: CommandContext, text: string): Promise<Descriptor> {
  const { args, signal } = context;
  const [ref] = await parseImages(context, [text]);
  if (ref === undefined) throw new UsageError('--subject needs an image', 'manifest annotate');
  await using source = await ref.newImageSource(systemOptions(args, signal, 'manifest annotate'));
  const { bytes, mediaType } = await source.getManifest(undefined, { signal });
  const parsed = parseManifest(bytes, mediaType);
  return { mediaType: parsed.mediaType, digest: parsed.digest, size: bytes.byteLength };
}

/** podman prints a list's ID after each edit; Ferry prints the digest of the list as it would be pushed. */
function listId(stored: StoredList): string {
  return stored.list.serialize(stored.list.format).digest;
}
