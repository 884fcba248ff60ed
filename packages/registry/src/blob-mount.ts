import type { CallOptions, Digest } from '@ferry/types';
import { cancelUpload, uploadLocation } from './blob-upload.ts';
import { pullScope, pushScope } from './manifest-requests.ts';
import { discardBody } from './read-body.ts';
import { type RegistryClient, signalOf } from './registry-client.ts';

/**
 * Asks the registry to link a blob of another repository on it into `repo` (`POST ?mount=&from=`).
 * Returns whether it did (201); a registry that opens an upload instead (202) gets it cancelled.
 * Refusals (no pull access to `from`, unknown blob) return `false`; they are not errors.
 */
export async function mountBlob(
  client: RegistryClient,
  repo: string,
  digest: Digest,
  from: string,
  options: CallOptions = {},
): Promise<boolean> {
  const query = new URLSearchParams({ mount: digest, from });
  const what = `mounting blob ${digest} from ${client.host}/${from} into ${repo}`;
  try {
    const response = await client.send({
      method: 'POST',
      path: `/v2/${repo}/blobs/uploads/?${query.toString()}`,
      scopes: [pushScope(repo), pullScope(from)],
      idempotent: true,
      what,
      kind: 'upload',
      accept: [202],
      ...signalOf(options),
    });
    await discardBody(response.body);
    if (response.status === 201) return true;
    if (response.status === 202) await cancelUpload(client, repo, uploadLocation(response, what));
    return false;
  } catch {
    if (options.signal?.aborted) throw options.signal.reason;
    // a refused mount (no pull access to `from`, an unknown blob, a server error) falls back to an upload
    return false;
  }
}
