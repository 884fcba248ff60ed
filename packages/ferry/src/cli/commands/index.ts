import type { Command } from '../command.ts';
import { manifestDigestCommand } from './manifest-digest.ts';

/** Every `ferry` sub-command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [manifestDigestCommand];
