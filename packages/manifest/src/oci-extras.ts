import type { JsonObject } from './json-fields.ts';
import { optionalString, optionalStringMap } from './json-fields.ts';
import type { Descriptor } from './manifest-types.ts';
import { parseDescriptor } from './parse-descriptor.ts';

/** The optional top-level fields an OCI image manifest and an OCI index share. */
export interface OciExtras {
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Reads `artifactType`, `subject` and `annotations`, leaving out the absent ones (ready to spread). */
export function readOciExtras(root: JsonObject): OciExtras {
  const artifactType = optionalString(root, 'artifactType', '');
  const subject =
    root.subject === undefined || root.subject === null ? undefined : parseDescriptor(root.subject, 'subject');
  const annotations = optionalStringMap(root, 'annotations', '');
  return {
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(subject === undefined ? {} : { subject }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}
