// The two @ferry/signature functions a policy check needs, imported by name so that the bundler keeps only
// them in the chunk that `policy-flags.ts` loads: a dynamic import of the package itself kept every signer and
// evaluator (sigstore's X.509 code among them, 180 KB) in that chunk.
export { createPolicyContext, loadPolicy } from '@ferry/signature';
