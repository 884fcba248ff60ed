import type { Agent } from 'undici';

type AgentClass = typeof Agent;

/**
 * undici's `Agent` with the request API, loaded on first use. Only the dispatcher and its API are loaded
 * (about 40 ms), not the whole package (about 150 ms more on the machine measured: fetch, WebSocket,
 * caches, mocks), since a registry copy uses nothing else; this is what undici's own index does with them.
 * undici is pinned to one version, and any failure falls back to the full package.
 */
export async function loadUndiciAgent(): Promise<AgentClass> {
  try {
    const [agent, dispatcher, api] = await Promise.all([
      import('undici/lib/dispatcher/agent.js'),
      import('undici/lib/dispatcher/dispatcher.js'),
      import('undici/lib/api/index.js'),
    ]);
    const prototype = dispatcher.default.prototype as object;
    // undici's index.js does the same assignment when it loads; doing it twice is harmless
    if (!('request' in prototype)) Object.assign(prototype, api.default);
    return agent.default;
  } catch {
    return (await import('undici')).Agent;
  }
}
