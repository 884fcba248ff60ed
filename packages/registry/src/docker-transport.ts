import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  RegistryOptions,
  SystemOptions,
  Transport,
} from '@ferry/types';
import {
  dockerPolicyNamespaces,
  formatDockerImageName,
  parseDockerImageName,
  type RegistryImageName,
  validateDockerPolicyScope,
} from './docker-reference.ts';

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
    // the HTTP client (node:http, node:tls, undici) loads only when a registry is used: parsing a reference,
    // or a program that only copies between local transports, never pays for it
    newImageSource: async (options?: SystemOptions): Promise<ImageSource> =>
      (await import('./docker-source.ts')).openDockerSource(ref, name, withDefaults(options)),
    newImageDestination: async (options?: SystemOptions): Promise<ImageDestination> =>
      (await import('./docker-destination.ts')).openDockerDestination(ref, name, withDefaults(options)),
    deleteImage: async (options?: SystemOptions): Promise<void> =>
      (await import('./docker-delete.ts')).deleteDockerImage(name, withDefaults(options)),
  };
  return ref;
}
