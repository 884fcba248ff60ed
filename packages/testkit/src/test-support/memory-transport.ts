import { createHash } from 'node:crypto';
import type {
  ByteStream,
  Digest,
  ImageDestination,
  ImageReference,
  ImageSource,
  Signature,
  Transport,
} from '@ferry/types';
import { ImageError, parseDigest } from '@ferry/types';

interface StoredImage {
  manifests: Map<string, { bytes: Uint8Array; mediaType: string }>;
  blobs: Map<string, Uint8Array>;
  signatures: Map<string, readonly Signature[]>;
}

// An example of a third-party transport: only the public contract, images held in a Map owned by the
// transport object (no module state). `memory:NAME`.
export function memoryTransport(): Transport {
  const images = new Map<string, StoredImage>();
  const transport: Transport = {
    name: 'memory',
    parseReference: (text) => {
      if (!/^[a-z0-9-]+$/.test(text)) throw new ImageError('ERR_INVALID_REFERENCE', `bad memory name ${text}`);
      return reference(text);
    },
  };
  const reference = (name: string): ImageReference => {
    const ref: ImageReference = {
      transport,
      withinTransport: name,
      policyIdentity: name,
      policyNamespaces: [],
      newImageSource: async () => source(ref, name),
      newImageDestination: async () => destination(ref, name),
    };
    return ref;
  };
  const source = (ref: ImageReference, name: string): ImageSource => {
    const image = images.get(name);
    if (image === undefined) throw new ImageError('ERR_MANIFEST_UNKNOWN', `no image memory:${name}`);
    return {
      reference: ref,
      getManifest: async (instance) => {
        const m = image.manifests.get(instance ?? '');
        if (m === undefined) throw new ImageError('ERR_MANIFEST_UNKNOWN', `no manifest ${instance}`);
        return m;
      },
      getBlob: async (info) => {
        const bytes = image.blobs.get(info.digest);
        if (bytes === undefined) throw new ImageError('ERR_BLOB_UNKNOWN', `no blob ${info.digest}`);
        return {
          stream: (async function* () {
            yield bytes;
          })(),
          size: bytes.byteLength,
        };
      },
      getSignatures: async (instance) => image.signatures.get(instance ?? '') ?? [],
      [Symbol.asyncDispose]: async () => {},
    };
  };
  const destination = (ref: ImageReference, name: string): ImageDestination => {
    const staged: StoredImage = { manifests: new Map(), blobs: new Map(), signatures: new Map() };
    return {
      reference: ref,
      traits: {
        supportsConcurrentBlobWrites: true,
        supportsManifestLists: true,
        supportedSignatureKinds: ['simple-signing', 'sigstore'],
      },
      putBlob: async (stream, info, options) => {
        const { bytes, digest } = await readAll(stream, options?.signal);
        if (info.size !== undefined && info.size !== bytes.byteLength) {
          throw new ImageError('ERR_SIZE_MISMATCH', `got ${bytes.byteLength} bytes, expected ${info.size}`);
        }
        if (info.digest !== undefined && info.digest !== digest) {
          throw new ImageError('ERR_DIGEST_MISMATCH', `got ${digest}, expected ${info.digest}`);
        }
        staged.blobs.set(digest, bytes);
        return { digest, size: bytes.byteLength };
      },
      tryReusingBlob: async (info) => {
        const bytes = staged.blobs.get(info.digest);
        return bytes === undefined ? undefined : { digest: info.digest, size: bytes.byteLength };
      },
      putManifest: async (manifest, options) => {
        staged.manifests.set(options?.instance ?? '', { bytes: manifest.bytes.slice(), mediaType: manifest.mediaType });
      },
      putSignatures: async (signatures, options) => {
        staged.signatures.set(options?.instance ?? '', [...signatures]);
      },
      commit: async () => {
        images.set(name, staged);
      },
      [Symbol.asyncDispose]: async () => {},
    };
  };
  return transport;
}

async function readAll(
  stream: ByteStream,
  signal: AbortSignal | undefined,
): Promise<{ bytes: Uint8Array; digest: Digest }> {
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  signal?.throwIfAborted();
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    hash.update(chunk);
    chunks.push(chunk);
  }
  signal?.throwIfAborted();
  return { bytes: Buffer.concat(chunks), digest: parseDigest(`sha256:${hash.digest('hex')}`) };
}
