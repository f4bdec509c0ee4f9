import { configDefaults, defineConfig } from 'vitest/config';

// `npm run test:browser`: GraphiQL in a real headless Chromium (Debian's `chromium` package).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
