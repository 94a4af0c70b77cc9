// Security: the app talks only to its own server, every page carries the content security
// policy, and a tour of the app produces no console error and no CSP violation.
import { test, expect } from '@playwright/test';
import { expectHeading, expectMounted, openApp, waitForServiceWorkerControl } from './app';
import { DEFAULT_LOCALE, LOCALES, ROUTES } from './locales';

const messages = LOCALES[DEFAULT_LOCALE];
const REQUIRED_CSP = [`script-src 'self' 'wasm-unsafe-eval'`, `connect-src 'self'`, `frame-ancestors 'none'`];

test('a tour of every screen stays on its own origin, under the CSP, without errors', async ({ page, context, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  const serviceWorkerRequests: string[] = [];
  context.on('request', (request) => {
    requests.push(request.url());
    if (request.serviceWorker()) serviceWorkerRequests.push(request.url());
  });

  const navigations: { url: string; csp: string | null; fromServiceWorker: boolean }[] = [];
  context.on('response', async (response) => {
    if (!response.request().isNavigationRequest()) return;
    navigations.push({
      url: response.url(),
      csp: await response.headerValue('content-security-policy'),
      fromServiceWorker: response.fromServiceWorker(),
    });
  });

  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.exposeFunction('reportCspViolation', (violation: string) => problems.push(`securitypolicyviolation: ${violation}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI}`,
      );
    });
  });

  // First visit from the network, then every screen again through the service worker.
  await openApp(page, '/');
  await waitForServiceWorkerControl(page);
  for (const route of ROUTES) {
    await openApp(page, route.path);
    await expectHeading(page, messages[route.title]);
  }
  // And by tapping through the bottom navigation, as a person would.
  const nav = page.getByRole('navigation', { name: messages.nav_label });
  for (const link of await nav.getByRole('link').all()) {
    const href = await link.getAttribute('href');
    const route = ROUTES.find((candidate) => candidate.path === href);
    expect(route, `nav link ${href} leads to a known screen`).toBeDefined();
    await link.tap();
    await expect(page).toHaveURL(new URL(href!, origin).href);
    await expectMounted(page); // the observation screens are behind the app lock
    await expectHeading(page, messages[route!.title]);
  }

  // The service worker's own fetches (its precache) are among the recorded requests.
  expect(serviceWorkerRequests.length).toBeGreaterThan(0);
  expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);

  expect(navigations.length).toBeGreaterThanOrEqual(ROUTES.length + 1);
  expect(navigations.some((navigation) => navigation.fromServiceWorker)).toBe(true);
  for (const navigation of navigations) {
    expect(navigation.csp, `CSP on ${navigation.url}`).not.toBeNull();
    for (const directive of REQUIRED_CSP) {
      expect(navigation.csp, `CSP on ${navigation.url}`).toContain(directive);
    }
  }
  expect(problems).toEqual([]);
});

test('the server sends the CSP on every HTML response', async ({ request }) => {
  for (const route of ROUTES) {
    const response = await request.get(route.path, { headers: { accept: 'text/html' } });
    expect(response.headers()['content-type'], route.path).toMatch(/^text\/html/);
    const csp = response.headers()['content-security-policy'];
    for (const directive of REQUIRED_CSP) {
      expect(csp, route.path).toContain(directive);
    }
  }
});
