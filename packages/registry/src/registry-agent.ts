import { homedir } from 'node:os';
import type { CallOptions, RegistryOptions } from '@ferry/types';
import type { Agent } from 'undici';
import { type CertDirContents, findCertDir, loadCertDir } from './cert-dir.ts';
import { loadUndiciAgent } from './undici-agent.ts';

/** Keep-alive connections are closed after this much idle time. */
const KEEP_ALIVE_MS = 30_000;
/** Connections per origin: enough for the copy's default six parallel blobs plus manifests. */
const CONNECTIONS_PER_ORIGIN = 16;

/**
 * The undici dispatcher for one registry host: keep-alive connection reuse, and the TLS settings of
 * `options` (verification on unless `tlsVerify === false`; CAs and a client pair from `certDir`, else from
 * the default `certs.d` directories, added to Node's roots).
 */
export async function createRegistryAgent(
  host: string,
  options: RegistryOptions,
  callOptions: CallOptions = {},
): Promise<Agent> {
  // a given directory is the only one read; otherwise the first default certs.d directory that exists
  const dir = options.certDir ?? (await findCertDir(host, process.env, homedir(), callOptions));
  const tls: CertDirContents = dir === undefined ? { ca: [], extraCa: [] } : await loadCertDir(dir, callOptions);
  // undici is loaded on first use, so that programs using only local transports never pay for it
  const UndiciAgent = await loadUndiciAgent();
  return new UndiciAgent({
    keepAliveTimeout: KEEP_ALIVE_MS,
    connections: CONNECTIONS_PER_ORIGIN,
    connect: {
      rejectUnauthorized: options.tlsVerify !== false,
      ...(tls.ca.length > 0 ? { ca: tls.ca } : {}),
      ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
    },
  });
}
