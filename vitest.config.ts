import { defineConfig } from 'vitest/config';

// Four tiers (STYLE.md): unit (pure core), integration (engine + store on PGlite and Postgres),
// interop (real named / knotd / dig / kdig subprocesses), api (the official cloudflare SDK); plus fuzz.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: 'interop', include: ['test/interop/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } },
      { test: { name: 'api', include: ['test/api/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      // fuzz: a bounded slice of test/fuzz/harness.mjs (npm run fuzz runs the long campaigns).
      { test: { name: 'fuzz', include: ['test/fuzz/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 60_000 } },
    ],
  },
});
