import { defineConfig } from 'vitest/config';

// Three tiers, run together by `npm test` or alone with `--project <name>`.
export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker; two halve the wall time (each integration file holds its own
    // local stack and simulator on free ports, so files do not share state). Three were faster (≈ 250 s
    // against 350–411 s for 95 files) but starved timing-sensitive suites (the checkout flood, the method
    // breaker) in two of four CI runs, so two it stays.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
    ],
  },
});
