import type { CallOptions } from '@ferry/types';

/** The environment variables credential look-up reads (`HOME`, `PATH`, `XDG_*`, `DOCKER_CONFIG`, …). */
export type CredentialEnv = Readonly<Record<string, string | undefined>>;

/** What a credential helper is asked to do (the helper's first argument). */
export type CredentialHelperAction = 'get' | 'store' | 'erase' | 'list';

/** One run of a `docker-credential-NAME` program. */
export interface CredentialHelperRequest extends CallOptions {
  /** The program name, e.g. `docker-credential-pass`, looked up in `env.PATH`. */
  readonly program: string;
  /** The action, passed as the only argument. */
  readonly action: CredentialHelperAction;
  /** What is written to the helper's standard input. MAY hold a secret (`store`): never log it. */
  readonly input: string;
  /** The environment of the helper (and the `PATH` it is looked up in). */
  readonly env: CredentialEnv;
  /** Kill the helper and fail after this many milliseconds. */
  readonly timeoutMs: number;
}

/** How a credential helper run ended. */
export interface CredentialHelperResult {
  /** The exit status; non-zero means failure (a "credentials not found" answer included). */
  readonly exitCode: number;
  /** Standard output: the JSON answer, or the error message docker-credential-helpers print there. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/**
 * Runs a credential helper. The default spawns the program found in `PATH`; tests or embedders MAY
 * replace it. It MUST throw `signal.reason` on abort and an `ImageError` when the program cannot run.
 */
export type CredentialHelperRunner = (request: CredentialHelperRequest) => Promise<CredentialHelperResult>;

/** Options of the credential functions: where the auth files are and how helpers run. */
export interface CredentialOptions extends CallOptions {
  /**
   * The containers auth file to use (skopeo's `--authfile`). When given (or `REGISTRY_AUTH_FILE` is set),
   * it is the only file read, as in containers/image.
   * @default env.REGISTRY_AUTH_FILE, else the containers and Docker defaults
   */
  readonly authFile?: string;
  /**
   * Environment variables (`REGISTRY_AUTH_FILE`, `XDG_RUNTIME_DIR`, `XDG_CONFIG_HOME`, `DOCKER_CONFIG`,
   * `HOME`, `PATH`).
   * @default process.env
   */
  readonly env?: CredentialEnv;
  /**
   * The home directory holding `.config/containers`, `.docker` and `.dockercfg`.
   * @default env.HOME, else os.homedir()
   */
  readonly homeDir?: string;
  /**
   * How `docker-credential-*` helpers are run.
   * @default spawning the program from `PATH` ({@link spawnCredentialHelper})
   */
  readonly runHelper?: CredentialHelperRunner;
  /**
   * How long one helper run may take, in milliseconds.
   * @default 30000
   */
  readonly helperTimeoutMs?: number;
}
