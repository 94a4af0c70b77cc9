// Does anything move under a finger? Two measures of the same thing, usable in every engine:
//
//  - `startLayoutShifts` / `layoutShifts`: the browser's own count (PerformanceObserver
//    `layout-shift`, buffered), summing only the shifts without recent input, the way the
//    cumulative layout shift is counted. Chromium only: elsewhere `supported` is false.
//  - `positions` / `largestMovement` / `geometryDrift`: the document-relative top of each
//    tracked element (every indicator, the Next-area button), read again after the page is
//    scrolled to other places with no input in between. A page whose off-screen content has a
//    guessed size moves its content when it is drawn; one without scroll anchoring (WebKit)
//    moves it on screen too. Works in WebKit and Firefox as in Chromium.
//  - `clearOfNavigation`: whether an element is covered by the fixed bottom navigation.
//
// Every function run in the page uses only plain DOM APIs (no Playwright or app code), so the
// same JavaScript serves all three engines.
import type { Page } from '@playwright/test';

/** What the tracked elements are: `selector` matches them, `key` names each in a reading. */
export interface Tracked {
  selector: string;
  /** An attribute whose value names each match (else the selector and the match's index). */
  keyAttribute?: string;
}

/** The elements whose place the checklist's tests track: every indicator and the Next-area link. */
export const CHECKLIST_TRACKED: Tracked[] = [
  { selector: '[data-testid=indicator]', keyAttribute: 'data-indicator' },
  { selector: '[data-testid=checklist-next-area]' },
];

/** The browser's own layout-shift count since `startLayoutShifts`. */
export interface LayoutShifts {
  /** Whether this engine reports layout shifts at all (Chromium does; WebKit and Firefox do not). */
  supported: boolean;
  /** The sum of the shifts without recent input. */
  total: number;
  /** Each such shift: its value, when, and the elements that moved (tag#id.class). */
  shifts: { value: number; startTime: number; sources: string[] }[];
}

/**
 * Starts counting layout shifts without recent input (including those the page made before,
 * `buffered`). Call after the page has loaded and before scrolling.
 */
export async function startLayoutShifts(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const supported =
      typeof PerformanceObserver !== 'undefined' &&
      (PerformanceObserver.supportedEntryTypes || []).includes('layout-shift');
    const record: { supported: boolean; shifts: { value: number; startTime: number; sources: string[] }[] } = {
      supported,
      shifts: [],
    };
    (window as unknown as { __layoutShifts: typeof record }).__layoutShifts = record;
    if (!supported) return false;
    const describe = (node: Node | null): string => {
      if (!(node instanceof Element)) return String(node && node.nodeName);
      const id = node.id ? `#${node.id}` : '';
      const classes = node.classList.length ? `.${[...node.classList].join('.')}` : '';
      return `${node.tagName.toLowerCase()}${id}${classes}`;
    };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const shift = entry as PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
          sources?: { node: Node | null }[];
        };
        if (shift.hadRecentInput) continue;
        record.shifts.push({
          value: shift.value,
          startTime: shift.startTime,
          sources: (shift.sources || []).map((source) => describe(source.node)),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
    return true;
  });
}

/** The layout shifts counted since `startLayoutShifts`, once the page has drawn its next frames. */
export async function layoutShifts(page: Page): Promise<LayoutShifts> {
  return page.evaluate(async () => {
    // Shifts are reported after the frame that made them: let two frames pass.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const record = (window as unknown as {
      __layoutShifts?: { supported: boolean; shifts: { value: number; startTime: number; sources: string[] }[] };
    }).__layoutShifts;
    if (!record) throw new Error('startLayoutShifts was not called on this page');
    const total = record.shifts.reduce((sum, shift) => sum + shift.value, 0);
    return { supported: record.supported, total, shifts: record.shifts };
  });
}

/** The document-relative top (CSS px) of every tracked element, by key. */
export type Positions = Record<string, number>;

/** Reads the document-relative top of every tracked element, after the page has drawn. */
export async function positions(page: Page, tracked: Tracked[] = CHECKLIST_TRACKED): Promise<Positions> {
  return page.evaluate(async (tracked) => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const found: Record<string, number> = {};
    for (const { selector, keyAttribute } of tracked) {
      document.querySelectorAll(selector).forEach((element, index) => {
        const key = (keyAttribute && element.getAttribute(keyAttribute)) || `${selector}[${index}]`;
        found[key] = element.getBoundingClientRect().top + window.scrollY;
      });
    }
    return found;
  }, tracked);
}

/** The element that moved most between two readings, and by how much (CSS px). */
export function largestMovement(before: Positions, after: Positions): { key: string; moved: number } {
  let largest = { key: '', moved: 0 };
  for (const [key, top] of Object.entries(after)) {
    if (!(key in before)) continue;
    const moved = Math.abs(top - before[key]);
    if (moved > largest.moved) largest = { key, moved };
  }
  return largest;
}

/** How far the tracked elements moved while the page was scrolled, with no input. */
export interface Drift {
  /** The largest movement of one element between two consecutive readings (CSS px). */
  largest: number;
  /** Which element, and between which scroll positions. */
  key: string;
  from: number;
  to: number;
  /** How many of the visited positions moved anything by more than a pixel. */
  positionsThatMoved: number;
  /** How many positions were visited. */
  visited: number;
  /** How much the document's height changed over the whole walk (CSS px). */
  heightChange: number;
}

/**
 * Scrolls the page (programmatically: no input) down through `steps` positions evenly spread
 * from the top to the end, and back up the same way, reading the tracked elements' tops at
 * each; reports the largest movement between consecutive readings.
 */
export async function geometryDrift(page: Page, steps = 14, tracked: Tracked[] = CHECKLIST_TRACKED): Promise<Drift> {
  const scrollTo = (y: number) =>
    page.evaluate((y) => {
      window.scrollTo(0, y);
      return window.scrollY;
    }, y);
  const height = () => page.evaluate(() => document.documentElement.scrollHeight);
  const heightBefore = await height();
  const maxScroll = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
  const targets: number[] = [];
  for (let step = 0; step <= steps; step += 1) targets.push(Math.round((maxScroll * step) / steps));
  const walk = [...targets, ...targets.slice(0, -1).reverse()];
  let previous = await positions(page, tracked);
  let previousY = await page.evaluate(() => window.scrollY);
  const drift: Drift = { largest: 0, key: '', from: previousY, to: previousY, positionsThatMoved: 0, visited: 0, heightChange: 0 };
  for (const target of walk) {
    const y = await scrollTo(target);
    const now = await positions(page, tracked);
    const moved = largestMovement(previous, now);
    drift.visited += 1;
    if (moved.moved > 1) drift.positionsThatMoved += 1;
    if (moved.moved > drift.largest) Object.assign(drift, { largest: moved.moved, key: moved.key, from: previousY, to: y });
    previous = now;
    previousY = y;
  }
  drift.heightChange = (await height()) - heightBefore;
  return drift;
}

/** Where an element is against the fixed bottom navigation. */
export interface Clearance {
  /** Some of the element is inside the viewport. */
  inView: boolean;
  /** Its box does not overlap the navigation's. */
  clearOfNavigation: boolean;
  /** What a finger at its centre would touch: the element itself (or inside it). */
  hitAtCentre: boolean;
  /** What is there instead (tag.class), when it is not. */
  hit: string;
  left: number;
  top: number;
  width: number;
  height: number;
  bottom: number;
  navigationTop: number;
}

/** Where the element `selector` is against the navigation `navigationSelector`. */
export async function clearOfNavigation(page: Page, selector: string, navigationSelector = 'nav.navigation'): Promise<Clearance> {
  return page.evaluate(
    ({ selector, navigationSelector }) => {
      const element = document.querySelector(selector);
      const navigation = document.querySelector(navigationSelector);
      if (!element) throw new Error(`no ${selector} on the page`);
      const box = element.getBoundingClientRect();
      const navigationTop = navigation ? navigation.getBoundingClientRect().top : window.innerHeight;
      const inView = box.bottom > 0 && box.top < window.innerHeight;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      const under = inView ? document.elementFromPoint(x, y) : null;
      const hitAtCentre = under !== null && (under === element || element.contains(under));
      const hit = under ? `${under.tagName.toLowerCase()}.${[...under.classList].join('.')}` : 'nothing';
      return {
        inView,
        clearOfNavigation: box.bottom <= navigationTop,
        hitAtCentre,
        hit,
        left: box.left,
        top: box.top,
        width: box.width,
        height: box.height,
        bottom: box.bottom,
        navigationTop,
      };
    },
    { selector, navigationSelector },
  );
}
