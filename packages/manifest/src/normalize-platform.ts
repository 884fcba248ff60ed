import type { Platform } from '@ferry/types';

/**
 * Normalizes a platform the way containerd's `platforms.Normalize` does, with one deliberate difference:
 * `arm64` gets the explicit default variant `v8` (containerd drops it to `""`), matching `arm`'s explicit `v7`.
 *
 * - os is lower-cased, `macos` becomes `darwin`;
 * - `x86_64`/`x86-64` → `amd64` (variant `v1` dropped), `i386` → `386`, `aarch64` → `arm64`;
 * - `arm64` variant `8`/`v8.0`/none → `v8`, `9`/`9.0`/`v9.0` → `v9`;
 * - `arm` variant none/`7` → `v7`, `5`/`6`/`8` → `v5`/`v6`/`v8`; `armhf` → `arm/v7`, `armel` → `arm/v6`.
 *
 * @example
 * ```ts
 * normalizePlatform({ os: 'Linux', architecture: 'aarch64' }); // { os: 'linux', architecture: 'arm64', variant: 'v8' }
 * ```
 */
export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.toLowerCase() === 'macos' ? 'darwin' : platform.os.toLowerCase();
  const [architecture, variant] = normalizeArch(platform.architecture, platform.variant ?? '');
  const { variant: _, ...rest } = platform;
  return Object.freeze({ ...rest, os, architecture, ...(variant === '' ? {} : { variant }) });
}

function normalizeArch(rawArch: string, rawVariant: string): [string, string] {
  const arch = rawArch.toLowerCase();
  const variant = rawVariant.toLowerCase();
  switch (arch) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      if (['', '8', 'v8', 'v8.0'].includes(variant)) return ['arm64', 'v8'];
      if (['9', '9.0', 'v9.0'].includes(variant)) return ['arm64', 'v9'];
      return ['arm64', variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (variant === '' || variant === '7') return ['arm', 'v7'];
      if (['5', '6', '8'].includes(variant)) return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [arch, variant];
  }
}

/** Formats a platform as `os/architecture[/variant]`. */
export function formatPlatform(platform: Partial<Platform>): string {
  const parts = [platform.os ?? '?', platform.architecture ?? '?'];
  if (platform.variant !== undefined && platform.variant !== '') parts.push(platform.variant);
  return parts.join('/');
}
