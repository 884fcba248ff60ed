// @ferry/registry: the OCI distribution client and the docker:// transport (being built; see the README).
export {};
