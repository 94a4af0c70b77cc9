// Nothing moves under a finger: on a small phone (360×740, touch), scrolling the checklist, all
// areas or one, shifts nothing on screen (the browser's own cumulative layout shift, without
// recent input, at most 0.02) and moves no indicator in the document (no guessed sizes of
// content not yet drawn); Next area and the other bottom actions are never under the fixed
// bottom navigation once in view; a finger that scrolls to Next area and taps it reaches the
// next area.
import { test, expect, type CDPSession, type Page } from '@playwright/test';
import { expectMounted, startFullObservation } from './app';
import { tapQuickSign } from './app-lock';
import { clearOfNavigation, geometryDrift, layoutShifts, startLayoutShifts } from './layout-shift';
import { LOCALES } from './locales';

const en = LOCALES.en;
const NEXT_AREA = '[data-testid=checklist-next-area]';
const MAX_LAYOUT_SHIFT = 0.02;
/** Sub-pixel rounding aside, nothing may move. */
const MAX_MOVEMENT_PX = 1;

test.use({ viewport: { width: 360, height: 740 }, screen: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
});

interface CatalogueAreas {
  areas: { id: string; indicators: unknown[] }[];
}

/** The catalogue new observations start with, as the app loads it. */
async function catalogue(page: Page): Promise<CatalogueAreas> {
  const index = await (await page.request.get('/content/catalogue/index.json')).json();
  return (await page.request.get(`/content/catalogue/${index.current}.json`)).json();
}

/** Opens the draft's checklist on `area` (an area id or `all`) with `count` indicators shown. */
async function openArea(page: Page, draftUrl: string, area: string, count: number): Promise<void> {
  await page.goto(`${draftUrl}?area=${area}`);
  await expectMounted(page);
  await expect(page.locator('[data-testid=indicator]')).toHaveCount(count, { timeout: 15_000 });
  await expect(page.locator(NEXT_AREA).or(page.getByRole('link', { name: en.checklist_to_summary }))).not.toHaveCount(0);
}

/**
 * A finger's swipe in the middle of the screen, scrolling the page by about `distance` CSS px
 * (down if positive): a touch, ten moves, a rest, a lift; then waits until the page stops scrolling.
 */
async function swipe(page: Page, cdp: CDPSession, distance: number): Promise<void> {
  // The finger starts low to scroll down (it moves up) and high to scroll up.
  const from = distance > 0 ? 620 : 120;
  const moves = 10;
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 180, y: from }] });
  for (let move = 1; move <= moves; move += 1) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 180, y: from - (distance * move) / moves }] });
  }
  // The finger rests a few frames before it lifts (no fling carries the page on afterwards).
  await page.evaluate(
    () => new Promise((resolve) => {
      let frames = 0;
      const frame = () => (++frames === 4 ? resolve(null) : requestAnimationFrame(frame));
      requestAnimationFrame(frame);
    }),
  );
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await scrollSettled(page);
}

/** Waits until the page's scroll position has stayed the same for three frames. */
async function scrollSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const y = window.scrollY;
        let frames = 0;
        const frame = () => {
          if (window.scrollY !== y) return resolve(false);
          frames += 1;
          if (frames === 3) return resolve(true);
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
  );
}

/** The page's scroll position and how far it can scroll. */
function scrollState(page: Page) {
  return page.evaluate(() => ({ y: window.scrollY, max: document.documentElement.scrollHeight - window.innerHeight }));
}

/**
 * Scrolls with `step` (a swipe or a wheel turn) down to the end of the page and back to the
 * top, calling `atEach` at every stop.
 */
async function scrollThrough(
  page: Page,
  distance: number,
  step: (distance: number) => Promise<void>,
  atEach: () => Promise<void> = async () => {},
) {
  for (const direction of [1, -1]) {
    for (let stops = 0; stops < 100; stops += 1) {
      const before = await scrollState(page);
      if (direction > 0 ? before.y >= before.max - 1 : before.y <= 0) break;
      await step(direction * distance);
      const after = await scrollState(page);
      expect(after.y, `a ${direction * distance} px scroll from ${before.y} moved the page`).not.toBe(before.y);
      await atEach();
    }
    const end = await scrollState(page);
    if (direction > 0) expect(end.y, 'scrolled to the end').toBeGreaterThanOrEqual(end.max - 1);
    else expect(end.y, 'scrolled back to the top').toBeLessThanOrEqual(1);
  }
}

/** Every stop: Next area, once clear of the navigation, is what a finger at its centre touches. */
async function nextAreaUncovered(page: Page): Promise<void> {
  const next = await clearOfNavigation(page, NEXT_AREA);
  if (next.inView && next.clearOfNavigation) {
    expect(next.hitAtCentre, `Next area at ${next.top}–${next.bottom} is covered by ${next.hit}`).toBe(true);
  }
}

/** At the end of the page, Next area is whole above the navigation, and a tap at its centre finds it. */
async function expectNextAreaClearAtEnd(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const next = await clearOfNavigation(page, NEXT_AREA);
  expect(next.inView, 'Next area is on screen at the end of the page').toBe(true);
  expect(next.clearOfNavigation, `Next area ends at ${next.bottom}, the navigation starts at ${next.navigationTop}`).toBe(true);
  expect(next.hitAtCentre, `a tap on Next area lands on ${next.hit}`).toBe(true);
  const summary = await clearOfNavigation(page, 'a[href$="/summary"].button--primary');
  expect(summary.clearOfNavigation && summary.hitAtCentre, `the summary link at ${summary.top}–${summary.bottom} under ${summary.hit}`).toBe(true);
}

/** Records a measured figure with the test's result (the list and JSON reports show it). */
function report(type: string, description: string): void {
  test.info().annotations.push({ type, description });
  console.log(`${test.info().project.name} ${test.info().title}: ${type} ${description}`);
}

test.describe('the checklist holds still while it is scrolled', () => {
  let areas: CatalogueAreas['areas'];
  let draftUrl: string;

  test.beforeEach(async ({ page }) => {
    areas = (await catalogue(page)).areas;
    await startFullObservation(page);
    draftUrl = page.url();
  });

  test('all areas: swipes and wheel turns through every indicator shift nothing, and no indicator moves in the page', async ({ page }) => {
    // Some 60 screens down and back up, twice, on a shared machine.
    test.setTimeout(240_000);
    const total = areas.reduce((sum, area) => sum + area.indicators.length, 0);
    await openArea(page, draftUrl, 'all', total);
    expect(await startLayoutShifts(page), 'Chromium counts layout shifts').toBe(true);
    const cdp = await page.context().newCDPSession(page);
    await scrollThrough(page, 440, (distance) => swipe(page, cdp, distance));
    await scrollThrough(page, 600, async (distance) => {
      const { y } = await scrollState(page);
      await page.mouse.move(180, 400);
      await page.mouse.wheel(0, distance);
      await page.waitForFunction((y) => window.scrollY !== y, y);
      await scrollSettled(page);
    });
    const shifts = await layoutShifts(page);
    report('layout shift', shifts.total.toFixed(4));
    expect(shifts.total, `layout shifts without input: ${JSON.stringify(shifts.shifts)}`).toBeLessThanOrEqual(MAX_LAYOUT_SHIFT);

    // Freshly opened (nothing drawn yet beyond the first screen), read the page at 15 places
    // down and back up: no indicator's place in the page changes, nor the page's length.
    await openArea(page, draftUrl, 'all', total);
    const drift = await geometryDrift(page);
    report('largest movement', `${drift.largest.toFixed(1)} px (${drift.positionsThatMoved} of ${drift.visited} positions moved)`);
    expect(drift.largest, `${drift.key} moved ${drift.largest} px between scroll positions ${drift.from} and ${drift.to}`).toBeLessThanOrEqual(MAX_MOVEMENT_PX);
    expect(Math.abs(drift.heightChange), 'the page keeps its length').toBeLessThanOrEqual(MAX_MOVEMENT_PX);
  });

  test('one area: swipes shift nothing, Next area is never under the navigation, and no indicator moves in the page', async ({ page }) => {
    // The longest area that has a next one.
    const withNext = areas.slice(0, -1);
    const area = withNext.reduce((longest, area) => (area.indicators.length > longest.indicators.length ? area : longest));
    await openArea(page, draftUrl, area.id, area.indicators.length);
    expect(await startLayoutShifts(page)).toBe(true);
    const cdp = await page.context().newCDPSession(page);
    await scrollThrough(page, 300, (distance) => swipe(page, cdp, distance), () => nextAreaUncovered(page));
    const shifts = await layoutShifts(page);
    report('layout shift', shifts.total.toFixed(4));
    expect(shifts.total, `layout shifts without input: ${JSON.stringify(shifts.shifts)}`).toBeLessThanOrEqual(MAX_LAYOUT_SHIFT);
    await expectNextAreaClearAtEnd(page);

    // Reached by the keyboard, Next area is scrolled clear of the navigation.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator(NEXT_AREA).focus();
    const focused = await clearOfNavigation(page, NEXT_AREA);
    expect(focused.clearOfNavigation && focused.hitAtCentre, `focused Next area at ${focused.top}–${focused.bottom}, under ${focused.hit}`).toBe(true);

    await openArea(page, draftUrl, area.id, area.indicators.length);
    const drift = await geometryDrift(page);
    report('largest movement', `${drift.largest.toFixed(1)} px (${drift.positionsThatMoved} of ${drift.visited} positions moved)`);
    expect(drift.largest, `${drift.key} moved ${drift.largest} px between scroll positions ${drift.from} and ${drift.to}`).toBeLessThanOrEqual(MAX_MOVEMENT_PX);
    expect(Math.abs(drift.heightChange), 'the page keeps its length').toBeLessThanOrEqual(MAX_MOVEMENT_PX);
  });

  test('a finger that scrolls down to Next area and taps it reaches the next area', async ({ page }) => {
    const [first, second] = areas;
    await openArea(page, draftUrl, first.id, first.indicators.length);
    const cdp = await page.context().newCDPSession(page);
    // Swipe until Next area is on screen above the navigation, then tap where it was seen at
    // once, as a finger does: the screen must not have moved in between.
    let next = await clearOfNavigation(page, NEXT_AREA);
    for (let swipes = 0; !(next.inView && next.clearOfNavigation) && swipes < 40; swipes += 1) {
      await swipe(page, cdp, 200);
      next = await clearOfNavigation(page, NEXT_AREA);
    }
    expect(next.inView && next.clearOfNavigation, `Next area came into view above the navigation: ${JSON.stringify(next)} ${JSON.stringify(await scrollState(page))}`).toBe(true);
    await page.touchscreen.tap(next.left + next.width / 2, next.top + next.height / 2);
    await expect(page).toHaveURL(new RegExp(`\\?area=${second.id}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.checklist_title);
    await expect(page.locator('[data-testid=indicator]')).toHaveCount(second.indicators.length);
  });
});

test('the bottom actions of the summary and quick mode end above the navigation', async ({ page }) => {
  await startFullObservation(page);
  const summaryUrl = `${page.url()}/summary`;
  for (const [path, name] of [
    [summaryUrl, en.summary_finish],
    ['/quick', en.summary_finish],
  ] as const) {
    await page.goto(path);
    await expectMounted(page);
    if (path === '/quick') await tapQuickSign(page, page.getByTestId('quick-sign').first());
    const action = page.getByRole('button', { name, exact: true });
    await expect(action).toBeVisible();
    await action.evaluate((element) => element.setAttribute('data-layout-probe', ''));
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const clearance = await clearOfNavigation(page, '[data-layout-probe]');
    expect(clearance.clearOfNavigation && clearance.hitAtCentre, `${path}: ${name} at ${clearance.top}–${clearance.bottom} under ${clearance.hit}`).toBe(true);
  }
});
