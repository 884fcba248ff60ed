// An independent, deliberately plain statement of the OCI manifest / Docker schema 2 schema, used by the
// property tests as an oracle: the parser must never accept what this rejects.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;
const isDigest = (v: unknown): boolean =>
  typeof v === 'string' && /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(v);
const isSize = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const optStrings = (v: unknown): boolean => absent(v) || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
const optMap = (v: unknown): boolean => absent(v) || (isObj(v) && Object.values(v).every((s) => typeof s === 'string'));
const optString = (v: unknown): boolean => absent(v) || typeof v === 'string';

function descriptorOk(d: unknown): boolean {
  if (!isObj(d)) return false;
  return (
    typeof d.mediaType === 'string' &&
    d.mediaType !== '' &&
    isDigest(d.digest) &&
    isSize(d.size) &&
    optStrings(d.urls) &&
    optMap(d.annotations) &&
    optString(d.artifactType) &&
    (absent(d.data) || (typeof d.data === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(d.data) && d.data.length % 4 === 0))
  );
}

const DOCKER_LAYERS = [
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];

/** Whether `doc` is a valid image manifest of `mediaType` (OCI manifest or Docker schema 2). */
export function imageManifestOk(doc: unknown, mediaType: string): boolean {
  if (!isObj(doc) || doc.schemaVersion !== 2) return false;
  const docker = mediaType === 'application/vnd.docker.distribution.manifest.v2+json';
  if (docker ? doc.mediaType !== mediaType : !absent(doc.mediaType) && doc.mediaType !== mediaType) return false;
  if (['fsLayers', 'history', 'manifests'].some((k) => !absent(doc[k]))) return false;
  if (!descriptorOk(doc.config) || !Array.isArray(doc.layers) || !doc.layers.every(descriptorOk)) return false;
  if (docker && !doc.layers.every((l) => DOCKER_LAYERS.includes((l as Obj).mediaType as string))) return false;
  if (docker) return true;
  return optString(doc.artifactType) && (absent(doc.subject) || descriptorOk(doc.subject)) && optMap(doc.annotations);
}

function platformOk(p: unknown): boolean {
  if (absent(p)) return true;
  if (!isObj(p)) return false;
  const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v !== '';
  return (
    nonEmpty(p.os) &&
    nonEmpty(p.architecture) &&
    optString(p.variant) &&
    optString(p['os.version']) &&
    optStrings(p['os.features']) &&
    optStrings(p.features)
  );
}

/** Whether `doc` is a valid list of `mediaType` (Docker manifest list or OCI index). */
export function listOk(doc: unknown, mediaType: string): boolean {
  if (!isObj(doc) || doc.schemaVersion !== 2) return false;
  const docker = mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json';
  if (docker ? doc.mediaType !== mediaType : !absent(doc.mediaType) && doc.mediaType !== mediaType) return false;
  if (['fsLayers', 'history', 'layers', 'config'].some((k) => !absent(doc[k]))) return false;
  if (!Array.isArray(doc.manifests)) return false;
  if (!doc.manifests.every((m) => descriptorOk(m) && platformOk((m as Obj).platform))) return false;
  if (docker) return true;
  return optString(doc.artifactType) && (absent(doc.subject) || descriptorOk(doc.subject)) && optMap(doc.annotations);
}
