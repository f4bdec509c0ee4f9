import { configDefaults, defineConfig } from 'vitest/config';

// `npm test`: every test but the browser check (that one is `npm run test:browser`).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    testTimeout: 20_000,
  },
});
