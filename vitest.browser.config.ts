import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// `npm run test:browser`: GraphiQL in a real headless Chromium (Debian's `chromium` package).
// It shares the base config's module resolution, so the gateway runs as it does in `npm test`.
export default mergeConfig(
  { ...base, test: { ...base.test, include: [], exclude: [] } },
  defineConfig({
    test: {
      include: ['test/browser/**/*.test.ts'],
      exclude: [...configDefaults.exclude],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  }),
);
