import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Two cores: more workers than that only makes the suite slower.
    maxWorkers: 2,
  },
});
