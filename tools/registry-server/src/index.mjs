export { startRegistry } from './start-registry.mjs';
export { startTokenIssuer } from './token-issuer.mjs';
