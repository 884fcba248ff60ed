import { parseNormalizedNamed } from '@ferry/reference';
import { isValidRemapPrefix } from './identity-matchers.ts';
import { allowFields, expectObject, expectString, policyError } from './policy-json.ts';
import type { SignedIdentity } from './policy-types.ts';
import type { JsonPath, JsonValue } from './strict-json.ts';

/** What `signedBy` and `sigstoreSigned` use when `signedIdentity` is absent, as in containers/image. */
export const DEFAULT_SIGNED_IDENTITY: SignedIdentity = Object.freeze({ type: 'matchRepoDigestOrExact' });

/**
 * Parses a `signedIdentity` object strictly: its `type` and exactly the fields that type has, with Docker
 * references and remapping prefixes validated as containers/image validates them.
 *
 * @throws {@link ImageError} `ERR_INVALID_POLICY` naming the field path.
 * @example
 * ```ts
 * parseSignedIdentity(readPolicyJson('{"type":"matchRepository"}'), ['default', 0, 'signedIdentity']);
 * ```
 */
export function parseSignedIdentity(value: JsonValue, path: JsonPath): SignedIdentity {
  const fields = expectObject(value, path);
  const type = expectString(fields.get('type'), [...path, 'type']);
  switch (type) {
    case 'matchExact':
    case 'matchRepoDigestOrExact':
    case 'matchRepository':
      allowFields(fields, path, ['type']);
      return { type };
    case 'exactReference': {
      allowFields(fields, path, ['type', 'dockerReference']);
      const dockerReference = expectString(fields.get('dockerReference'), [...path, 'dockerReference']);
      const ref = parseDocker(dockerReference, [...path, 'dockerReference']);
      if (ref.tag === undefined && ref.digest === undefined) {
        throw policyError(
          [...path, 'dockerReference'],
          `${JSON.stringify(dockerReference)} has neither a tag nor a digest`,
        );
      }
      return { type, dockerReference };
    }
    case 'exactRepository': {
      allowFields(fields, path, ['type', 'dockerRepository']);
      const dockerRepository = expectString(fields.get('dockerRepository'), [...path, 'dockerRepository']);
      parseDocker(dockerRepository, [...path, 'dockerRepository']);
      return { type, dockerRepository };
    }
    case 'remapIdentity': {
      allowFields(fields, path, ['type', 'prefix', 'signedPrefix']);
      const prefix = remapPrefix(fields.get('prefix'), [...path, 'prefix']);
      const signedPrefix = remapPrefix(fields.get('signedPrefix'), [...path, 'signedPrefix']);
      return { type, prefix, signedPrefix };
    }
    default:
      throw policyError([...path, 'type'], `unknown type ${JSON.stringify(type)}`);
  }
}

function parseDocker(text: string, path: JsonPath): ReturnType<typeof parseNormalizedNamed> {
  try {
    return parseNormalizedNamed(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw policyError(path, `invalid Docker reference ${JSON.stringify(text)}: ${reason}`, error);
  }
}

function remapPrefix(value: JsonValue | undefined, path: JsonPath): string {
  const prefix = expectString(value, path);
  if (!isValidRemapPrefix(prefix)) {
    throw policyError(path, `prefix ${JSON.stringify(prefix)} is not valid: want host[:port] or host[:port]/namespace`);
  }
  return prefix;
}
