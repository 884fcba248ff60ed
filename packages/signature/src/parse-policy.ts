import { parseRequirement } from './parse-requirement.ts';
import { allowFields, expectArray, expectObject, policyError, readPolicyJson } from './policy-json.ts';
import { scopeProblem } from './policy-scopes.ts';
import type { Policy, PolicyRequirement } from './policy-types.ts';
import type { JsonPath, JsonValue } from './strict-json.ts';

/** Options of {@link parsePolicy}. */
export interface ParsePolicyOptions {
  /**
   * The directory relative key paths (`keyPath`, `caPath`, …) are resolved against. containers/image opens them
   * relative to the process's working directory, so that is the default.
   * @default process.cwd()
   */
  readonly baseDir?: string;
}

/**
 * Parses and validates a `policy.json` document (containers-policy.json(5)) as strictly as containers/image:
 * unknown or duplicated fields, a missing `default`, empty requirement lists, unknown requirement or identity
 * types, unsupported key types, anything but exactly one key source, and scopes invalid for their transport are
 * all errors. A malformed policy is never accepted in part.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` whose message names the field path, e.g.
 * `policy: transports.docker["example.com"][0].signedIdentity.type: unknown type "foo"`.
 * @example
 * ```ts
 * const policy = parsePolicy('{"default":[{"type":"reject"}],"transports":{"docker":{"quay.io":[{"type":"insecureAcceptAnything"}]}}}');
 * policy.transports.get('docker')?.get('quay.io'); // [{ type: 'insecureAcceptAnything' }]
 * ```
 */
export function parsePolicy(text: string | Uint8Array, options?: ParsePolicyOptions): Policy {
  const baseDir = options?.baseDir ?? process.cwd();
  const root = expectObject(readPolicyJson(decode(text)), []);
  allowFields(root, [], ['default', 'transports']);
  const defaultValue = root.get('default');
  if (defaultValue === undefined) throw policyError(['default'], 'required field missing');
  const defaults = parseRequirements(defaultValue, ['default'], baseDir);
  const transports = new Map<string, ReadonlyMap<string, readonly PolicyRequirement[]>>();
  const transportsValue = root.get('transports');
  if (transportsValue !== undefined) {
    for (const [name, scopesValue] of expectObject(transportsValue, ['transports'])) {
      transports.set(name, parseScopes(name, scopesValue, baseDir));
    }
  }
  return { default: defaults, transports };
}

function parseScopes(
  transport: string,
  value: JsonValue,
  baseDir: string,
): ReadonlyMap<string, readonly PolicyRequirement[]> {
  const scopes = new Map<string, readonly PolicyRequirement[]>();
  for (const [scope, requirements] of expectObject(value, ['transports', transport])) {
    const path = ['transports', transport, scope];
    const problem = scopeProblem(transport, scope);
    if (problem !== undefined) throw policyError(path, `invalid ${transport} scope: ${problem}`);
    scopes.set(scope, parseRequirements(requirements, path, baseDir));
  }
  return scopes;
}

function parseRequirements(value: JsonValue, path: JsonPath, baseDir: string): readonly PolicyRequirement[] {
  const items = expectArray(value, path);
  if (items.length === 0) throw policyError(path, 'the list of requirements must not be empty');
  return items.map((item, index) => parseRequirement(item, [...path, index], baseDir));
}

function decode(text: string | Uint8Array): string {
  if (typeof text === 'string') return text;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch (cause) {
    throw policyError([], 'not valid UTF-8', cause);
  }
}
