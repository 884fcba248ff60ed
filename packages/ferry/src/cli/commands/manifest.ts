import type { Command, CommandContext } from '../command.ts';
import type { FlagSpec } from '../flags.ts';
import { registryFlagSpecs } from './registry-flags.ts';
import { SIGN_FLAGS } from './sign-flags.ts';

const PLATFORM_FLAGS: readonly FlagSpec[] = [
  { name: 'arch', type: 'string', valueName: 'architecture', description: 'override the architecture of the image' },
  {
    name: 'features',
    type: 'string[]',
    valueName: 'features',
    description: 'override the features of the image',
  },
  { name: 'os', type: 'string', valueName: 'OS', description: 'override the OS of the image' },
  {
    name: 'os-features',
    type: 'string[]',
    valueName: 'features',
    description: 'override the OS features of the image',
  },
  { name: 'os-version', type: 'string', valueName: 'version', description: 'override the OS version of the image' },
  { name: 'variant', type: 'string', valueName: 'Variant', description: 'override the Variant of the image' },
  {
    name: 'annotation',
    type: 'string[]',
    valueName: 'annotation',
    description: 'set an annotation (KEY=VALUE) on the image',
  },
];

const ALL_FLAG: FlagSpec = {
  name: 'all',
  type: 'boolean',
  description: 'add all of the images of a list, not just the one for this platform',
};

async function run(context: CommandContext, name: string): Promise<number> {
  const runs = await import('./manifest-run.ts');
  return runs.runManifest(name, context);
}

function sub(
  name: string,
  summary: string,
  usage: string,
  flags: readonly FlagSpec[],
  args: Command['args'],
  examples: readonly string[] = [],
): Command {
  return { name, summary, usage, flags, args, examples, run: (context) => run(context, name) };
}

/** `ferry manifest …`: build, edit, store and push multi-platform lists, as `podman manifest` does. */
export const manifestCommand: Command = {
  name: 'manifest',
  summary: 'Manipulate manifest lists and image indexes',
  usage: 'ferry manifest [command]',
  examples: ['ferry manifest create app oci:/srv/amd64:v1 docker://registry.example/app-arm64:v1'],
  flags: [],
  args: { min: 0, max: 0 },
  run: async () => 2,
  subcommands: [
    sub(
      'create',
      'Create a manifest list or image index',
      'ferry manifest create [command options] NAME [IMAGE...]',
      [
        { ...ALL_FLAG, description: 'add all of the images of lists given as IMAGE' },
        {
          name: 'amend',
          short: 'a',
          type: 'boolean',
          description: 'modify an existing list if one with the name exists',
        },
        ...registryFlagSpecs(''),
      ],
      { min: 1, max: Number.POSITIVE_INFINITY },
      ['ferry manifest create app', 'ferry manifest create --all app docker://quay.io/org/app:v1'],
    ),
    sub(
      'add',
      'Add an image to a manifest list or image index',
      'ferry manifest add [command options] NAME IMAGE',
      [ALL_FLAG, ...PLATFORM_FLAGS, ...registryFlagSpecs('')],
      { min: 2, max: 2 },
      ['ferry manifest add app oci:/srv/layout:arm64', 'ferry manifest add --arch arm --variant v7 app dir:/srv/armv7'],
    ),
    sub('remove', 'Remove an entry from a manifest list or image index', 'ferry manifest remove NAME DIGEST', [], {
      min: 2,
      max: 2,
    }),
    sub(
      'annotate',
      'Add or update information about an entry in a manifest list or image index',
      'ferry manifest annotate [command options] NAME [DIGEST]',
      [
        ...PLATFORM_FLAGS,
        { name: 'index', type: 'boolean', description: 'apply --annotation values to the list itself' },
        {
          name: 'subject',
          type: 'string',
          valueName: 'IMAGE',
          description: 'set the subject of the index to the manifest of IMAGE (OCI only)',
        },
        {
          name: 'artifact-type',
          type: 'string',
          valueName: 'type',
          description: 'set the artifact type of the index or entry (OCI only)',
        },
        ...registryFlagSpecs(''),
      ],
      { min: 1, max: 2 },
    ),
    sub(
      'inspect',
      'Display the contents of a manifest list or image index',
      'ferry manifest inspect [command options] NAME|IMAGE',
      registryFlagSpecs(''),
      { min: 1, max: 1 },
    ),
    sub(
      'push',
      'Push a manifest list or image index to a registry',
      'ferry manifest push [command options] NAME DESTINATION',
      [
        {
          name: 'all',
          type: 'boolean',
          description: 'also push the images in the list (default true; --all=false pushes the list alone)',
        },
        { name: 'format', short: 'f', type: 'string', valueName: 'format', description: 'manifest type (oci or v2s2)' },
        {
          name: 'digestfile',
          type: 'string',
          valueName: 'file',
          description: 'after copying the list, write its digest to the file',
        },
        { name: 'rm', type: 'boolean', description: 'remove the manifest list if the push succeeds' },
        { name: 'remove-signatures', type: 'boolean', description: "don't copy signatures when pushing images" },
        {
          name: 'quiet',
          short: 'q',
          type: 'boolean',
          description: "don't output progress information when pushing lists",
        },
        ...SIGN_FLAGS,
        ...registryFlagSpecs(''),
      ],
      { min: 2, max: 2 },
      [
        'ferry manifest push app docker://registry.example/app:v1',
        'ferry manifest push --format v2s2 app oci:/srv/out:v1',
      ],
    ),
    sub('rm', 'Remove manifest lists', 'ferry manifest rm NAME [NAME...]', [], {
      min: 1,
      max: Number.POSITIVE_INFINITY,
    }),
    sub('exists', 'Check if a manifest list exists in local storage', 'ferry manifest exists NAME', [], {
      min: 1,
      max: 1,
    }),
  ],
};
