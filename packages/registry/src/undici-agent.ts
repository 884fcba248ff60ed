import type { Agent } from 'undici';

type AgentClass = typeof Agent;

// undici's own modules (CommonJS; undici 7 has no `exports` map restricting them), named by variables so
// that TypeScript does not look for declarations they do not ship; the types come from undici's index
const AGENT_MODULE = 'undici/lib/dispatcher/agent.js';
const DISPATCHER_MODULE = 'undici/lib/dispatcher/dispatcher.js';
const API_MODULE = 'undici/lib/api/index.js';

/**
 * undici's `Agent` with the request API, loaded on first use. Only the dispatcher and its API are loaded
 * (about 40 ms), not the whole package (about 150 ms more on the machine measured: fetch, WebSocket,
 * caches, mocks), since a registry copy uses nothing else; this is what undici's own index does with them.
 * undici is pinned to one version, and any failure falls back to the full package.
 */
export async function loadUndiciAgent(): Promise<AgentClass> {
  try {
    const [agent, dispatcher, api] = (await Promise.all([
      import(AGENT_MODULE),
      import(DISPATCHER_MODULE),
      import(API_MODULE),
    ])) as [{ default: AgentClass }, { default: { prototype: object } }, { default: object }];
    const prototype = dispatcher.default.prototype;
    // undici's index.js does the same assignment when it loads; doing it twice is harmless
    if (!('request' in prototype)) Object.assign(prototype, api.default);
    return agent.default;
  } catch {
    return (await import('undici')).Agent;
  }
}
