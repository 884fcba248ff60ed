import type { Command } from '../command.ts';
import { copyCommand } from './copy.ts';
import { deleteCommand } from './delete.ts';
import { inspectCommand } from './inspect.ts';
import { listTagsCommand } from './list-tags.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { manifestCommand } from './manifest.ts';
import { manifestDigestCommand } from './manifest-digest.ts';
import { standaloneSignCommand } from './standalone-sign.ts';
import { standaloneVerifyCommand } from './standalone-verify.ts';

/** Every `ferry` sub-command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  copyCommand,
  deleteCommand,
  inspectCommand,
  listTagsCommand,
  loginCommand,
  logoutCommand,
  manifestCommand,
  manifestDigestCommand,
  standaloneSignCommand,
  standaloneVerifyCommand,
];
