import type { Command } from '../command.ts';
import { copyCommand } from './copy.ts';
import { inspectCommand } from './inspect.ts';
import { manifestDigestCommand } from './manifest-digest.ts';

/** Every `ferry` sub-command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [copyCommand, inspectCommand, manifestDigestCommand];
