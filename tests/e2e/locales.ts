// The app's messages as the tests expect them, read from locales/*.json and the bundles' own
// sections (locales/guidance/, locales/contacts/, locales/team/, locales/inbox/), merged into one table per locale.
//
// Serbian Latin is not stored anywhere: like the app, the tests derive it from the Cyrillic
// source, with a plain letter table (enough for headings and labels).
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

const srCyrl = { ...shellSrCyrl, ...guidanceSrCyrl, ...contactsSrCyrl, ...teamSrCyrl, ...inboxSrCyrl };
const en = { ...shellEn, ...guidanceEn, ...contactsEn, ...teamEn, ...inboxEn };

export type Messages = typeof en;
export type LocaleTag = 'sr-Cyrl' | 'sr-Latn' | 'en';

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

const srLatn = Object.fromEntries(
  Object.entries(srCyrl).map(([key, value]) => [key, toLatin(value)]),
) as Messages;

export const LOCALES: Record<LocaleTag, Messages> = {
  'sr-Cyrl': srCyrl as Messages,
  'sr-Latn': srLatn,
  en,
};

export const LOCALE_TAGS: LocaleTag[] = ['sr-Cyrl', 'sr-Latn', 'en'];
export const DEFAULT_LOCALE: LocaleTag = 'sr-Cyrl';

/** The app's routes, each with the message key of its h1. */
export const ROUTES: { path: string; title: keyof Messages }[] = [
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
  { path: '/no-such-page', title: 'not_found_title' },
];

/** Labels of the bottom navigation, in order: every `nav_*` message except the nav's own name. */
export function navLabels(messages: Messages): string[] {
  return Object.entries(messages)
    .filter(([key]) => key.startsWith('nav_') && key !== 'nav_label')
    .map(([, label]) => label);
}
