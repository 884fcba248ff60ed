import { expectedTree, type LayerEntry, type TreeNode, tarLayer } from './layer-spec.ts';
import { type BuiltLayer, compressLayer, type Descriptor, LayoutWriter } from './layout-writer.ts';
import { layerText, sixtyLayerSpec } from './sixty-layers.ts';

/** The images of the interop suite, all in one OCI layout. */
export interface TestImages {
  /** The layout's directory. */
  readonly layout: string;
  /** Tag `v1`: the 60-layer gzip image. */
  readonly sixty: { readonly tag: 'v1'; readonly manifest: Descriptor; readonly diffIds: readonly string[] };
  /** What the 60-layer image unpacks to. */
  readonly tree: ReadonlyMap<string, TreeNode>;
  /** Tag `multi`: an index of an amd64 and an arm64 image. */
  readonly multi: {
    readonly tag: 'multi';
    readonly index: Descriptor;
    readonly amd64: Descriptor;
    readonly arm64: Descriptor;
  };
  /** Tag `zstd`: a three-layer image with zstd layers. */
  readonly zstd: { readonly tag: 'zstd'; readonly manifest: Descriptor; readonly diffIds: readonly string[] };
}

const CREATED = '2024-01-01T00:00:00Z';
const LINUX_AMD64 = { architecture: 'amd64', os: 'linux' };

function small(arch: string, count: number, format: 'gzip' | 'zstd'): BuiltLayer[] {
  return Array.from({ length: count }, (_, i) => {
    const entries: LayerEntry[] = [
      { kind: 'file', path: `etc/${arch}-${i}`, content: layerText(100 + i, 3) },
      { kind: 'file', path: 'etc/arch', content: `${arch}\n` },
    ];
    return compressLayer(tarLayer(entries), format);
  });
}

/**
 * Builds the suite's images deterministically into a new OCI layout at `layout` (GNU tar per layer,
 * gzip or the `zstd` CLI, the layout written by hand). Takes a second or two.
 * @example
 * ```ts
 * const images = buildTestImages(join(work, 'images'));
 * await runFerry(['copy', `oci:${images.layout}:v1`, `dir:${out}`]);
 * ```
 */
export function buildTestImages(layout: string): TestImages {
  const w = new LayoutWriter(layout);
  const spec = sixtyLayerSpec();
  const layers = spec.map((entries) => compressLayer(tarLayer(entries), 'gzip'));
  const sixtyManifest = w.image(layers, LINUX_AMD64, CREATED);
  w.tag(sixtyManifest, 'v1');

  const amd = w.image(small('amd64', 2, 'gzip'), LINUX_AMD64, CREATED);
  const arm = w.image(small('arm64', 2, 'gzip'), { architecture: 'arm64', os: 'linux' }, CREATED);
  const amd64 = { ...amd, platform: LINUX_AMD64 };
  const arm64 = { ...arm, platform: { architecture: 'arm64', os: 'linux' } };
  const index = w.index([amd64, arm64]);
  w.tag(index, 'multi');

  const zstdLayers = small('zstd', 3, 'zstd');
  const zstdManifest = w.image(zstdLayers, LINUX_AMD64, CREATED);
  w.tag(zstdManifest, 'zstd');

  return {
    layout,
    sixty: { tag: 'v1', manifest: sixtyManifest, diffIds: layers.map((l) => l.diffId) },
    tree: expectedTree(spec),
    multi: { tag: 'multi', index, amd64, arm64 },
    zstd: { tag: 'zstd', manifest: zstdManifest, diffIds: zstdLayers.map((l) => l.diffId) },
  };
}
