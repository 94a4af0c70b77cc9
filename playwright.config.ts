import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/e2e/chromium';

// End-to-end tests of the built app (`trunk build --release` → dist/) served by prepoznaj-server.
const PORT = Number(process.env.PREPOZNAJ_E2E_PORT || 8181);
const SERVER_BIN = process.env.PREPOZNAJ_SERVER_BIN || 'target/debug/prepoznaj-server';
// The build to serve; a second checkout or a parallel build can point elsewhere.
const DIST = process.env.PREPOZNAJ_DIST || 'dist';
export const BASE_URL = `http://127.0.0.1:${PORT}`;

// An iPhone 14-sized screen with Safari's user agent, rendered by Chromium (the app's iOS
// branches key off the user agent; WebKit itself runs the main screens in tests/cross-engine/).
const IPHONE_SAFARI_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
  '(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

export default defineConfig({
  testDir: './tests/e2e',
  testMatch: /.*\.spec\.ts/,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  // Two cores on CI: one worker keeps timings honest.
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'out/pw-results.json' }]],
  outputDir: 'out/test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'android',
      // Tests tagged @iphone only make sense with an iPhone user agent.
      grepInvert: /@iphone/,
      use: { ...devices['Pixel 7'], browserName: 'chromium' },
    },
    {
      name: 'iphone',
      grepInvert: /@android/,
      use: {
        browserName: 'chromium',
        viewport: { width: 390, height: 844 },
        screen: { width: 390, height: 844 },
        deviceScaleFactor: 3,
        isMobile: true,
        hasTouch: true,
        userAgent: IPHONE_SAFARI_UA,
      },
    },
  ],
  webServer: {
    // A fresh data directory per run; the server only serves dist/ and the API.
    command: `${SERVER_BIN} --port ${PORT} --dist ${DIST} --log warn --data-dir "$(mktemp -d -t prepoznaj-e2e-XXXXXX)"`,
    url: `${BASE_URL}/api/health`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
