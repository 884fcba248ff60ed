import { defineConfig } from 'vitest/config';

// Named vitest.projects.ts, not vitest.config.ts: a root config with `projects` would also be picked up
// by `vitest run` inside a package and fail there (see shared/TOOLCHAIN.md, pitfall 5).
export default defineConfig({
  test: {
    projects: ['packages/*', 'tools/example-transport', 'tools/registry-server'],
  },
});
