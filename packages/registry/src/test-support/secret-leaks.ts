import { inspect } from 'node:util';

/**
 * Every usual rendering of an error: its message, `String(error)`, the messages of its `cause` chain (and of
 * an `AggregateError`'s `errors`), `util.inspect` at full depth and its stack.
 */
export function renderingsOf(error: unknown): string[] {
  const out = [String(error), inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })];
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { message, stack, cause, errors } = current as {
      message?: unknown;
      stack?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof message === 'string') out.push(message);
    if (typeof stack === 'string') out.push(stack);
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return out;
}

/**
 * The forms a password can leak in: as is, in a basic `Authorization` value (base64 of `user:password`),
 * and URL-encoded.
 */
export function secretForms(username: string, password: string): string[] {
  return [password, Buffer.from(`${username}:${password}`).toString('base64'), encodeURIComponent(password)];
}

/** The forms of `secrets` found in any rendering of `error` (empty when nothing leaked). */
export function leakedSecrets(error: unknown, secrets: readonly string[]): string[] {
  const texts = renderingsOf(error);
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}

/** Settles `promise` and returns what it rejected with, or `undefined` when it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
