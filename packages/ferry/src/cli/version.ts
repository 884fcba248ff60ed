import { readFileSync } from 'node:fs';

/** The `ferry` package version, read from its package.json (two levels above `dist/cli/`). */
export function ferryVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
