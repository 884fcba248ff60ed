/**
 * Ferry: move container images between registries, archives, OCI layouts and directories.
 * This meta package re-exports the `@ferry/*` packages and ships the `ferry` CLI.
 *
 * @packageDocumentation
 */
export type { CliIO } from './cli/command.ts';
export { EXIT, type RunCliOptions, runCli } from './cli/run.ts';
