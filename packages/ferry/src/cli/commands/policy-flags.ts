import { resolve } from 'node:path';
import { insecureAcceptAnythingPolicy } from '@ferry/copy';
import type { PolicyContext } from '@ferry/types';
import type { CliIO } from '../command.ts';
import type { ParsedArgs } from '../flags.ts';

/**
 * The trust policy a command runs under, as skopeo chooses it: `--insecure-policy` accepts anything (and
 * wins over `--policy`); otherwise `--policy FILE`, else `~/.config/containers/policy.json`, else
 * `/etc/containers/policy.json`. A missing or malformed policy is an error, never an accept.
 */
export async function policyFrom(args: ParsedArgs, io: CliIO, signal: AbortSignal): Promise<PolicyContext> {
  if (args.flags.get('insecure-policy') === true) return insecureAcceptAnythingPolicy();
  const { createPolicyContext, loadPolicy } = await import('./policy-loading.ts');
  const path = args.flags.get('policy') as string | undefined;
  const policy = await loadPolicy({
    ...(path !== undefined && { path: resolve(io.cwd, path) }),
    ...(io.env.HOME !== undefined && { homeDir: io.env.HOME }),
    baseDir: io.cwd,
    signal,
  });
  return createPolicyContext(policy);
}
