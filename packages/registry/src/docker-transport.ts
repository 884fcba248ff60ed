import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  RegistryOptions,
  SystemOptions,
  Transport,
} from '@ferry/types';
import { deleteDockerImage } from './docker-delete.ts';
import { openDockerDestination } from './docker-destination.ts';
import {
  dockerPolicyNamespaces,
  formatDockerImageName,
  parseDockerImageName,
  type RegistryImageName,
  validateDockerPolicyScope,
} from './docker-reference.ts';
import { openDockerSource } from './docker-source.ts';

/** A `docker://` reference: an image in a repository of a registry. */
export interface DockerImageReference extends ImageReference {
  /** The repository and tag or digest, normalized (`docker.io/library/busybox:latest`). */
  readonly dockerReference: RegistryImageName;
}

/**
 * The `docker` transport: `docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST]`, Docker Hub defaults, `:latest`
 * when neither tag nor digest is given. Sources and destinations talk to the registry with the
 * credentials, TLS settings and retries of `SystemOptions.registry`.
 *
 * @example
 * ```ts
 * const transports = createTransportRegistry([dockerTransport(), ociTransport()]);
 * await copyImage(policy, transports.parse('oci:/srv/layout:v1'), transports.parse('docker://127.0.0.1:5000/app:v1'), {
 *   destinationOptions: { registry: { tlsVerify: false } },
 * });
 * ```
 */
export function dockerTransport(defaults: DockerTransportOptions = {}): Transport {
  const transport: Transport = {
    name: 'docker',
    parseReference: (text) => dockerImageReference(transport, parseDockerImageName(text), defaults),
    validatePolicyScope: validateDockerPolicyScope,
  };
  return transport;
}

/** Options of {@link dockerTransport}. */
export interface DockerTransportOptions {
  /**
   * Registry settings used when a call's `SystemOptions.registry` leaves them out, e.g.
   * `{ tlsVerify: false }` for a test registry on 127.0.0.1.
   * @default {}
   */
  readonly registry?: RegistryOptions;
}

function dockerImageReference(
  transport: Transport,
  name: RegistryImageName,
  defaults: DockerTransportOptions,
): DockerImageReference {
  const withDefaults = (options: SystemOptions = {}): SystemOptions =>
    defaults.registry === undefined ? options : { ...options, registry: { ...defaults.registry, ...options.registry } };
  const ref: DockerImageReference = {
    transport,
    withinTransport: formatDockerImageName(name),
    dockerReference: name,
    policyIdentity: name.toString(),
    policyNamespaces: dockerPolicyNamespaces(name),
    newImageSource: (options?: SystemOptions): Promise<ImageSource> =>
      openDockerSource(ref, name, withDefaults(options)),
    newImageDestination: (options?: SystemOptions): Promise<ImageDestination> =>
      openDockerDestination(ref, name, withDefaults(options)),
    deleteImage: (options?: SystemOptions): Promise<void> => deleteDockerImage(name, withDefaults(options)),
  };
  return ref;
}
