import { defineConfig } from '@playwright/test';
import type { EngineName } from './engines';

// The cross-engine tier: the scenarios of scenarios.spec.ts in WebKit (WebKitGTK) and Firefox
// (firefox-esr), both from Debian. Playwright is only the test runner here: the engines are
// driven by engines.ts (WebDriver, WebDriver BiDi). Needs dist/ and the server binary, as the
// end-to-end suite does. Run from the repository root:
//   npx playwright test -c tests/cross-engine/playwright.config.ts
export default defineConfig<object, { engineName: EngineName }>({
  testDir: '.',
  testMatch: /.*\.spec\.ts/,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  // One engine per worker: the two run side by side.
  workers: 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../../out/cross-engine-results.json' }]],
  outputDir: '../../out/cross-engine',
  projects: [
    { name: 'webkit', use: { engineName: 'webkit' } },
    { name: 'firefox', use: { engineName: 'firefox' } },
  ],
});
