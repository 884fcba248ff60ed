import { ImageError } from '@ferry/types';

/** A mistake in how the command was called: exit code 2 and a hint to use --help. */
export class UsageError extends ImageError {
  /** The command whose help to point at, if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super('ERR_INVALID_ARGUMENT', message);
    this.command = command;
  }
}

/** Tells whether an error is a {@link UsageError}. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}
