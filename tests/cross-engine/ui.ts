// What the scenarios do with a page, in any engine: wait for a condition with a deadline, find
// an element by CSS and its accessible name (aria-label, its labels, or its text) and click or
// type into it with real input.
import type { EnginePage } from './engines';

/** An element: the first match of `css` (inside `within`, if given) whose name is `name`. */
export interface Target {
  css: string;
  name?: string;
  within?: string;
}

/** Waits until `fn(arg)` in the page returns something truthy; returns it. */
export async function waitFor<R, A = undefined>(
  page: EnginePage,
  what: string,
  fn: (arg: A) => R | Promise<R>,
  arg?: A,
  timeout = 15_000,
): Promise<R> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      last = await page.evaluate(fn, arg);
      if (last) return last as R;
    } catch (error) {
      // A navigation may replace the page under the script: read again.
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${page.engine}: waited ${timeout / 1000} s for ${what}; last: ${String(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let marks = 0;

/** Waits for `target`, marks it with a unique attribute and returns a selector for it. */
async function locate(page: EnginePage, target: Target): Promise<string> {
  const mark = String((marks += 1));
  await waitFor(
    page,
    `${target.css}${target.name ? ` named "${target.name}"` : ''}`,
    ({ target, mark }) => {
      const normal = (text: string | null) => (text || '').replace(/\s+/g, ' ').trim();
      const nameOf = (element: Element) => {
        const labels = (element as HTMLInputElement).labels;
        if (element.getAttribute('aria-label')) return normal(element.getAttribute('aria-label'));
        if (labels && labels.length) return normal([...labels].map((label) => label.textContent).join(' '));
        return normal(element.textContent);
      };
      const scope = target.within ? document.querySelector(target.within) : document;
      const found = scope && [...scope.querySelectorAll(target.css)].find((element) => target.name === undefined || nameOf(element) === target.name);
      if (!found) return false;
      found.setAttribute('data-cross-engine', mark);
      return true;
    },
    { target, mark },
  );
  return `[data-cross-engine="${mark}"]`;
}

export async function click(page: EnginePage, target: Target): Promise<void> {
  await page.click(await locate(page, target));
}

export async function type(page: EnginePage, target: Target, text: string): Promise<void> {
  await page.type(await locate(page, target), text);
}

/**
 * Chooses the option whose value or text is `choice` in the select `target` as a browser does
 * for a person (its value changes, then `input` and `change` fire): a native select's pop-up
 * cannot be driven alike in every engine.
 */
export async function selectOption(page: EnginePage, target: Target, choice: string): Promise<void> {
  const selector = await locate(page, target);
  await page.evaluate(
    ({ selector, choice }) => {
      const select = document.querySelector(selector) as HTMLSelectElement;
      const option = [...select.options].find((option) => option.value === choice || option.text.trim() === choice);
      if (!option) throw new Error(`no option "${choice}" in ${selector}`);
      select.focus();
      select.value = option.value;
      select.dispatchEvent(new Event('input', { bubbles: true }));
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { selector, choice },
  );
}

/** The page's address (read in the page: it also follows the app's own history changes). */
export function url(page: EnginePage): Promise<string> {
  return page.evaluate(() => location.href);
}

/** The trimmed text of the first match of `selector`, or null. */
export function text(page: EnginePage, selector: string): Promise<string | null> {
  return page.evaluate((selector) => {
    const element = document.querySelector(selector);
    return element ? (element.textContent || '').replace(/\s+/g, ' ').trim() : null;
  }, selector);
}

/** Waits until a match of `selector` reads exactly `expected`. */
export async function waitForText(page: EnginePage, selector: string, expected: string): Promise<void> {
  await waitFor(
    page,
    `${selector} to read "${expected}"`,
    ({ selector, expected }) =>
      [...document.querySelectorAll(selector)].some((element) => (element.textContent || '').replace(/\s+/g, ' ').trim() === expected),
    { selector, expected },
  );
}

/** The wasm app has replaced the loading shell and shows `heading` as its only h1. */
export async function waitForScreen(page: EnginePage, heading: string): Promise<void> {
  await waitFor(
    page,
    `the screen "${heading}"`,
    (heading) => {
      const headings = document.querySelectorAll('h1');
      return (
        document.getElementById('loading') === null &&
        document.querySelector('[data-testid=connection-status]') !== null &&
        headings.length === 1 &&
        (headings[0].textContent || '').trim() === heading
      );
    },
    heading,
  );
}

/** The cross-engine suite's PIN for the app lock of the observation screens. */
export const TEST_PIN = '204817';

/**
 * On an observation screen just loaded: sets the app lock if there is none yet (the PIN twice)
 * or enters it, and waits until the screens show (the header's Lock button).
 */
export async function passAppLock(page: EnginePage, pin = TEST_PIN): Promise<void> {
  const form = await waitFor(page, 'the app lock or the screens behind it', () => {
    if (document.querySelector('[data-testid=lock-set-up]')) return 'set-up';
    if (document.querySelector('[data-testid=lock-unlock]')) return 'unlock';
    return document.querySelector('[data-testid=app-lock]') ? 'open' : false;
  });
  if (form === 'set-up') {
    await type(page, { css: '#lock-secret' }, pin);
    await type(page, { css: '#lock-secret-repeat' }, pin);
    await click(page, { css: '[data-testid=lock-set-up] button[type=submit]' });
  } else if (form === 'unlock') {
    await type(page, { css: '#lock-unlock-secret' }, pin);
    await click(page, { css: '[data-testid=lock-unlock] button[type=submit]' });
  }
  await waitFor(page, 'the screens behind the app lock', () => document.querySelector('[data-testid=app-lock]') !== null);
}

/** Waits until an activated service worker controls the page (its install cached the whole build). */
export async function waitForServiceWorker(page: EnginePage): Promise<void> {
  await waitFor(page, 'an activated service worker in control', async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return navigator.serviceWorker.controller !== null && registration?.active?.state === 'activated';
  });
}
