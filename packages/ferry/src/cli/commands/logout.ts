import type { Command } from '../command.ts';

/** `ferry logout REGISTRY` and `ferry logout --all`, as `skopeo logout`: forgets recorded credentials. */
export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Logout of a container registry',
  usage: 'ferry logout [command options] REGISTRY',
  examples: ['ferry logout quay.io', 'ferry logout --all'],
  flags: [
    {
      name: 'all',
      short: 'a',
      type: 'boolean',
      description: 'Remove the cached credentials for all registries in the auth file',
    },
    {
      name: 'authfile',
      type: 'string',
      valueName: 'string',
      description: 'path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override',
    },
    {
      name: 'tls-verify',
      type: 'boolean',
      description: 'require HTTPS and verify certificates when accessing the registry',
    },
  ],
  // skopeo's own messages for a missing or extra registry
  args: { min: 0, max: Number.POSITIVE_INFINITY },
  async run(context) {
    const { runLogout } = await import('./logout-run.ts');
    return runLogout(context);
  },
};
