import { defineConfig } from 'vitest/config';

// Three tiers, run together by `npm test` or alone with `--project <name>`.
export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker; more overlap the integration files' waiting (each holds its
    // own local stack and simulator on free ports, so files do not share state). Measured on 2 cores with
    // 95 files: 2 workers 350–411 s, 3 workers 270 s.
    maxWorkers: 3,
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
