// The app's messages as the tests expect them, read from locales/*.json and the bundles' own
// sections (locales/guidance/, locales/contacts/, locales/team/, locales/inbox/, locales/lock/, locales/practice/), merged into one table per locale
// (Serbian Cyrillic, English, Hungarian).
//
// Serbian Latin is not stored anywhere: like the app, the tests derive it from the Cyrillic
// source, with a plain letter table (enough for headings and labels).
//
// A message with a count is an object of plural forms ({"one", "few", "other"} in Serbian,
// {"one", "other"} in English and Hungarian, each with `{count}`); `plural` picks and fills its form.
import shellSrCyrl from '../../locales/sr-Cyrl.json';
import shellEn from '../../locales/en.json';
import guidanceSrCyrl from '../../locales/guidance/sr-Cyrl.json';
import guidanceEn from '../../locales/guidance/en.json';
import contactsSrCyrl from '../../locales/contacts/sr-Cyrl.json';
import contactsEn from '../../locales/contacts/en.json';
import teamSrCyrl from '../../locales/team/sr-Cyrl.json';
import teamEn from '../../locales/team/en.json';
import inboxSrCyrl from '../../locales/inbox/sr-Cyrl.json';
import inboxEn from '../../locales/inbox/en.json';
import lockSrCyrl from '../../locales/lock/sr-Cyrl.json';
import lockEn from '../../locales/lock/en.json';
import shellHu from '../../locales/hu.json';
import guidanceHu from '../../locales/guidance/hu.json';
import contactsHu from '../../locales/contacts/hu.json';
import teamHu from '../../locales/team/hu.json';
import inboxHu from '../../locales/inbox/hu.json';
import lockHu from '../../locales/lock/hu.json';
import practiceSrCyrl from '../../locales/practice/sr-Cyrl.json';
import practiceEn from '../../locales/practice/en.json';
import practiceHu from '../../locales/practice/hu.json';

const srCyrl = { ...shellSrCyrl, ...guidanceSrCyrl, ...contactsSrCyrl, ...teamSrCyrl, ...inboxSrCyrl, ...lockSrCyrl, ...practiceSrCyrl };
const en = { ...shellEn, ...guidanceEn, ...contactsEn, ...teamEn, ...inboxEn, ...lockEn, ...practiceEn };
const hu = { ...shellHu, ...guidanceHu, ...contactsHu, ...teamHu, ...inboxHu, ...lockHu, ...practiceHu };

export type Messages = typeof en;
export type LocaleTag = 'sr-Cyrl' | 'sr-Latn' | 'hu' | 'en';

const CYRILLIC_TO_LATIN: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'đ', е: 'e', ж: 'ž', з: 'z', и: 'i', ј: 'j',
  к: 'k', л: 'l', љ: 'lj', м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't',
  ћ: 'ć', у: 'u', ф: 'f', х: 'h', ц: 'c', ч: 'č', џ: 'dž', ш: 'š',
};

/** Serbian Cyrillic → Latin, letter by letter (a capital digraph becomes e.g. "Lj"). */
export function toLatin(text: string): string {
  return [...text]
    .map((letter) => {
      const lower = letter.toLowerCase();
      const latin = CYRILLIC_TO_LATIN[lower];
      if (latin === undefined) return letter;
      return letter === lower ? latin : latin[0].toUpperCase() + latin.slice(1);
    })
    .join('');
}

/** A message with a count: one form per CLDR plural category of its language. */
export type PluralMessage = { one: string; few?: string; other: string };

const srLatn = Object.fromEntries(
  Object.entries(srCyrl).map(([key, value]) => [
    key,
    typeof value === 'string'
      ? toLatin(value)
      : Object.fromEntries(Object.entries(value).map(([category, form]) => [category, toLatin(form)])),
  ]),
) as Messages;

/**
 * `message` for `count` in `tag`'s language, `{count}` filled. The form is chosen by the
 * browser engine's own CLDR rules (Intl.PluralRules), not by the app's.
 */
export function plural(message: PluralMessage, tag: LocaleTag, count: number): string {
  const language = tag === 'en' || tag === 'hu' ? tag : 'sr';
  const category = new Intl.PluralRules(language).select(count) as keyof PluralMessage;
  const form = message[category] ?? message.other;
  return form.replaceAll('{count}', String(count));
}

export const LOCALES: Record<LocaleTag, Messages> = {
  'sr-Cyrl': srCyrl as Messages,
  'sr-Latn': srLatn,
  hu: hu as Messages,
  en,
};

/** In the order the language switch lists them. */
export const LOCALE_TAGS: LocaleTag[] = ['sr-Cyrl', 'sr-Latn', 'hu', 'en'];
export const DEFAULT_LOCALE: LocaleTag = 'sr-Cyrl';

/**
 * The app's routes, each with the message key of its h1 and, where the page's content comes
 * after its heading (loaded content), a selector that is there once it has come.
 */
export const ROUTES: { path: string; title: keyof Messages; ready?: string }[] = [
  { path: '/', title: 'home_title' },
  { path: '/observe', title: 'observe_title' },
  { path: '/guidance', title: 'guidance_title' },
  { path: '/contacts', title: 'contacts_title' },
  { path: '/settings', title: 'settings_title' },
  { path: '/team', title: 'team_title' },
  { path: '/team/join', title: 'join_title' },
  { path: '/team/recover', title: 'recover_title' },
  { path: '/enrol', title: 'enrol_title' },
  { path: '/inbox', title: 'inbox_title' },
  { path: '/practice', title: 'practice_title', ready: '[data-testid=practice-start]' },
  { path: '/practice/quick', title: 'practice_quick_title', ready: '[data-testid=practice-quick-text]' },
  { path: '/practice/record', title: 'practice_record_title', ready: '[data-testid=practice-record-empty], [data-testid=practice-record]' },
  { path: '/practice/facilitator', title: 'practice_facilitator_title', ready: '[data-testid=facilitator-text]' },
  { path: '/no-such-page', title: 'not_found_title' },
];

/** Labels of the bottom navigation, in order: every `nav_*` message except the nav's own name. */
export function navLabels(messages: Messages): string[] {
  return Object.entries(messages)
    .filter(([key]) => key.startsWith('nav_') && key !== 'nav_label')
    .map(([, label]) => label as string);
}
