import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The process bursts of the concurrency suite (200 `hermes call` processes at once, some 70 s of
 * CPU) saturate both cores for a minute: they run last, alone, so they neither starve the suites
 * that time a server's start nor are starved by them.
 */
const ALONE = ['test/nodes-api/concurrency.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/property-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only fight over them (and over MariaDB).
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'hermes', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...ALONE], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'bursts', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
