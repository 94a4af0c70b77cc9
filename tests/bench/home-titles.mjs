// The home screen's heading in every locale, as the app shows it (Serbian Latin derived from
// the Cyrillic letter by letter, as the app derives it): what the benchmarks wait for.
import * as fs from 'node:fs';

const messages = (file) => JSON.parse(fs.readFileSync(new URL(`../../locales/${file}`, import.meta.url), 'utf8'));
const LATIN = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'đ', е: 'e', ж: 'ž', з: 'z', и: 'i', ј: 'j', к: 'k', л: 'l', љ: 'lj', м: 'm',
  н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'ć', у: 'u', ф: 'f', х: 'h', ц: 'c', ч: 'č', џ: 'dž', ш: 'š',
};
const toLatin = (text) =>
  [...text].map((letter) => {
    const latin = LATIN[letter.toLowerCase()];
    if (latin === undefined) return letter;
    return letter === letter.toLowerCase() ? latin : latin[0].toUpperCase() + latin.slice(1);
  }).join('');
const CYRILLIC = messages('sr-Cyrl.json').home_title;

/** Locale tag → home heading, in the order the language switch lists them. */
export const HOME_TITLES = {
  'sr-Cyrl': CYRILLIC,
  'sr-Latn': toLatin(CYRILLIC),
  hu: messages('hu.json').home_title,
  en: messages('en.json').home_title,
};
