import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

// `npm test`: every test but the browser check (that one is `npm run test:browser`).
export default defineConfig({
  resolve: {
    // graphql-js has two entry points; Node always loads the CommonJS one, and
    // so must the files Vite transforms, or one process holds two graphql-js
    // copies whose types reject each other.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    testTimeout: 20_000,
    // After the default report: the files that skipped themselves for a missing program, and what to install.
    reporters: ['default', './test/helpers/skipped-summary.ts'],
    env: { APOLLO_TELEMETRY_DISABLED: 'true' },
  },
});
