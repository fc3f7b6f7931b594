import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One real Hazelcast member for the whole run (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
  },
});
