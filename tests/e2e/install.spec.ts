// Installing the app: the browser finds it installable, the manifest says what a home-screen
// app needs, the install button appears where the browser offers installation, and iOS
// Safari shows the add-to-home-screen steps instead.
import { test, expect, type BrowserContext, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openApp, waitForServiceWorkerControl } from './app';
import { launchPhoneProfile } from './chromium';
import { DEFAULT_LOCALE, LOCALES } from './locales';

const messages = LOCALES[DEFAULT_LOCALE];

/**
 * A real (not off-the-record) browser profile with the project's phone settings: Chromium
 * only evaluates installability there (an ordinary test context reports `in-incognito`).
 */
async function withPersistentProfile(testInfo: TestInfo, run: (context: BrowserContext) => Promise<void>) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-profile-'));
  const context = await launchPhoneProfile(profile, testInfo);
  try {
    await run(context);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(0, 8).equals(signature), 'PNG signature').toBe(true);
  expect(bytes.subarray(12, 16).toString('latin1'), 'first chunk').toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

type ManifestIcon = { src: string; sizes?: string; type?: string; purpose?: string };

test('Chromium finds the app installable and its manifest complete', async ({}, testInfo) => {
  await withPersistentProfile(testInfo, async (context) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await openApp(page, '/');
    await waitForServiceWorkerControl(page);
    const cdp = await context.newCDPSession(page);

    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);

    const { url, errors, data } = await cdp.send('Page.getAppManifest');
    expect(errors).toEqual([]);
    expect(new URL(url).origin).toBe(new URL(page.url()).origin);
    const manifest = JSON.parse(data!);
    for (const field of ['name', 'short_name', 'description', 'id', 'start_url', 'scope', 'lang', 'theme_color', 'background_color']) {
      expect(typeof manifest[field] === 'string' && manifest[field].length > 0, `manifest.${field}`).toBe(true);
    }
    expect(manifest.display).toBe('standalone');
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

    const icons: ManifestIcon[] = manifest.icons;
    const purposes = (icon: ManifestIcon) => (icon.purpose ?? 'any').split(/\s+/);
    expect(icons.some((icon) => icon.sizes === '192x192' && purposes(icon).includes('any'))).toBe(true);
    expect(icons.some((icon) => icon.sizes === '512x512' && purposes(icon).includes('any'))).toBe(true);
    expect(icons.some((icon) => purposes(icon).includes('maskable'))).toBe(true);

    const shortcuts: { name: string; url: string; icons?: ManifestIcon[] }[] = manifest.shortcuts;
    const shortcutPaths = shortcuts.map((shortcut) => new URL(shortcut.url, url).pathname);
    expect(shortcutPaths).toEqual(expect.arrayContaining(['/observe', '/contacts']));

    // Every icon the manifest declares is a PNG of exactly the declared size.
    const allIcons = [...icons, ...shortcuts.flatMap((shortcut) => shortcut.icons ?? [])];
    for (const icon of allIcons) {
      const response = await context.request.get(new URL(icon.src, url).href);
      expect(response.status(), icon.src).toBe(200);
      expect(response.headers()['content-type'], icon.src).toMatch(/^image\/png/);
      const { width, height } = pngSize(await response.body());
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }
  });
});

test('the install button appears when the browser offers installation @android', async ({}, testInfo) => {
  await withPersistentProfile(testInfo, async (context) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await openApp(page, '/');
    await waitForServiceWorkerControl(page);
    const install = page.getByTestId('install-button');
    await expect(install).toBeVisible({ timeout: 20_000 });
    await expect(install).toHaveText(messages.install_button);
    await expect(install).toHaveRole('button');
  });
});

test('Android Chrome is not shown the iOS home-screen steps @android', async ({ page }) => {
  await openApp(page, '/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(messages.home_title);
  await expect(page.getByTestId('ios-install-hint')).toHaveCount(0);
});

test('iOS Safari shows the add-to-home-screen steps and the data warning @iphone', async ({ page }) => {
  await openApp(page, '/');
  const hint = page.getByTestId('ios-install-hint');
  await expect(hint).toBeVisible();
  await expect(hint.getByRole('heading', { name: messages.install_ios_title })).toBeVisible();
  await expect(hint).toContainText(messages.install_ios_steps);
  await expect(hint).toContainText(messages.install_ios_warning);
  await expect(page.getByTestId('install-button')).toHaveCount(0);
});
