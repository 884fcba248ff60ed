import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageError } from '@ferry/types';
import type { CredentialEnv, CredentialOptions } from './credential-options.ts';

/**
 * Which format a credentials file has: a containers `auth.json`, a Docker `config.json` (whose `credsStore`
 * is honoured) or the legacy `~/.dockercfg` (a bare map of server to entry).
 */
export type AuthFileKind = 'containers' | 'docker' | 'legacy';

/** A credentials file to read, in search order. */
export interface AuthFilePath {
  readonly path: string;
  readonly kind: AuthFileKind;
}

/** The resolved environment of the credential functions. */
export interface CredentialContext {
  readonly env: CredentialEnv;
  readonly homeDir: string;
}

/** Resolves `env` and `homeDir` from the options once. */
export function credentialContext(options: CredentialOptions): CredentialContext {
  const env = options.env ?? process.env;
  return { env, homeDir: options.homeDir ?? nonEmpty(env.HOME) ?? homedir() };
}

/**
 * The files to search, in containers/image's order: a user-chosen file (`authFile`, `REGISTRY_AUTH_FILE`)
 * alone; otherwise `$XDG_RUNTIME_DIR/containers/auth.json` (skipped if that directory does not exist; on
 * Linux without it `/run/containers/UID/auth.json`), `$XDG_CONFIG_HOME/containers/auth.json`
 * (`~/.config/…`), `$DOCKER_CONFIG/config.json` (`~/.docker/config.json`) and `~/.dockercfg`.
 */
export async function authFilesToRead(options: CredentialOptions): Promise<AuthFilePath[]> {
  const { env, homeDir } = credentialContext(options);
  const chosen = userChosenAuthFile(options, env);
  if (chosen !== undefined) return [{ path: chosen, kind: 'containers' }];
  const paths: AuthFilePath[] = [];
  const runtimeDir = nonEmpty(env.XDG_RUNTIME_DIR);
  // containers/image warns and goes on when XDG_RUNTIME_DIR names a missing directory: public images still work
  if (runtimeDir === undefined || (await directoryExists(runtimeDir))) {
    paths.push({ path: defaultAuthFile(env, homeDir), kind: 'containers' });
  }
  const configHome = nonEmpty(env.XDG_CONFIG_HOME) ?? join(homeDir, '.config');
  paths.push({ path: join(configHome, 'containers', 'auth.json'), kind: 'containers' });
  const dockerConfig = nonEmpty(env.DOCKER_CONFIG);
  paths.push({ path: join(dockerConfig ?? join(homeDir, '.docker'), 'config.json'), kind: 'docker' });
  paths.push({ path: join(homeDir, '.dockercfg'), kind: 'legacy' });
  return paths;
}

/**
 * The file `storeCredentials` and `removeCredentials` edit, as podman and skopeo choose it: `authFile`,
 * `REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, else `/run/containers/UID/auth.json` on
 * Linux and `~/.config/containers/auth.json` elsewhere.
 * @throws {@link ImageError} `ERR_INVALID_ARGUMENT` when `XDG_RUNTIME_DIR` names a missing directory.
 */
export async function authFileToWrite(options: CredentialOptions): Promise<string> {
  const { env, homeDir } = credentialContext(options);
  const chosen = userChosenAuthFile(options, env);
  if (chosen !== undefined) return chosen;
  const runtimeDir = nonEmpty(env.XDG_RUNTIME_DIR);
  if (runtimeDir !== undefined && !(await directoryExists(runtimeDir))) {
    throw new ImageError(
      'ERR_INVALID_ARGUMENT',
      `${JSON.stringify(runtimeDir)} directory set by $XDG_RUNTIME_DIR does not exist. Either create the directory or unset $XDG_RUNTIME_DIR.`,
    );
  }
  return defaultAuthFile(env, homeDir);
}

function userChosenAuthFile(options: CredentialOptions, env: CredentialEnv): string | undefined {
  return nonEmpty(options.authFile) ?? nonEmpty(env.REGISTRY_AUTH_FILE);
}

function defaultAuthFile(env: CredentialEnv, homeDir: string): string {
  if (process.platform !== 'linux') return join(homeDir, '.config', 'containers', 'auth.json');
  const runtimeDir = nonEmpty(env.XDG_RUNTIME_DIR);
  if (runtimeDir !== undefined) return join(runtimeDir, 'containers', 'auth.json');
  return `/run/containers/${process.getuid?.() ?? 0}/auth.json`;
}

// only a missing directory counts: any other problem surfaces when the file inside is accessed
async function directoryExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code !== 'ENOENT';
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
