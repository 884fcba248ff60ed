import { type RegistryMode, type RunningRegistry, startRegistry } from '@ferry/registry-server';
import { afterAll } from 'vitest';

/**
 * A real registry (Debian's distribution 2.8) shared by the tests of one file: started on first use,
 * stopped after the file's tests.
 */
export function sharedRegistry(mode: RegistryMode = 'http'): () => Promise<RunningRegistry> {
  let running: Promise<RunningRegistry> | undefined;
  afterAll(async () => {
    await (await running?.catch(() => undefined))?.stop();
  });
  return () => {
    running ??= startRegistry({ mode });
    return running;
  };
}

let counter = 0;

/** A repository name not used before in this process. */
export function freshRepository(prefix = 'ferry-test'): string {
  counter += 1;
  return `${prefix}/r${process.pid}-${counter}`;
}
