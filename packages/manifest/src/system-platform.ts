import type { Platform } from '@ferry/types';

const GOOS: Readonly<Record<string, string>> = {
  win32: 'windows',
  sunos: 'solaris',
  darwin: 'darwin',
  linux: 'linux',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  aix: 'aix',
  android: 'android',
};

const GOARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  ppc: 'ppc',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

/**
 * Maps Node's `process.platform` and `process.arch` to Go's GOOS/GOARCH, as images name platforms. `ppc64`
 * is `ppc64le` except on AIX. `armVersion` (Node's `arm_version` build setting) gives the `arm` variant,
 * `v7` when unknown; `arm64` is `v8`.
 *
 * @example
 * ```ts
 * platformFromNode('win32', 'x64'); // { os: 'windows', architecture: 'amd64' }
 * ```
 */
export function platformFromNode(nodePlatform: string, nodeArch: string, armVersion?: string): Platform {
  const os = GOOS[nodePlatform] ?? nodePlatform;
  let architecture = GOARCH[nodeArch] ?? nodeArch;
  if (nodeArch === 'ppc64') architecture = nodePlatform === 'aix' ? 'ppc64' : 'ppc64le';
  if (architecture === 'arm') return { os, architecture, variant: `v${armVersion ?? '7'}` };
  if (architecture === 'arm64') return { os, architecture, variant: 'v8' };
  return { os, architecture };
}

/**
 * The running system's platform in GOOS/GOARCH terms: what {@link chooseInstance} picks by default.
 *
 * @example
 * ```ts
 * systemPlatform(); // e.g. { os: 'linux', architecture: 'amd64' }
 * ```
 */
export function systemPlatform(): Platform {
  const variables = (process.config as { variables?: { arm_version?: unknown } }).variables;
  const armVersion =
    typeof variables?.arm_version === 'string' && /^\d+$/.test(variables.arm_version)
      ? variables.arm_version
      : undefined;
  return platformFromNode(process.platform, process.arch, armVersion);
}
