import { en, type MessageKey } from "./en.ts";
import { format, type Locale } from "./format.ts";
import { id } from "./id.ts";
import { fmtInt } from "./numbers.ts";

/**
 * Counted sentences ("1 account", "2 accounts") by the language's plural
 * rules (`Intl.PluralRules`, CLDR), not by `n === 1`: English has "one"
 * and "other"; Indonesian nouns do not change with the count, so it only
 * ever picks "other". A counted message is a key holding the general
 * ("other") form plus `<key>.one` for the singular; a language whose rules
 * name another category (none of ours yet) falls back to the general form.
 */

/** Keys that have a singular form `<key>.one`. */
export type PluralKey = {
  [K in MessageKey]: `${K}.one` extends MessageKey ? K : never;
}[MessageKey];

const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, id };
const TAGS: Record<Locale, string> = { en: "en-US", id: "id-ID" };
const rules = new Map<Locale, Intl.PluralRules>();

/** The plural category of a count: "one" or "other" in English, always "other" in Indonesian. */
export function pluralCategory(n: number, locale: Locale): Intl.LDMLPluralRule {
  let r = rules.get(locale);
  if (!r) {
    r = new Intl.PluralRules(TAGS[locale]);
    rules.set(locale, r);
  }
  return r.select(n);
}

/**
 * The sentence for a count, `{n}` filled with it grouped the language's
 * way unless `params` gives `n` itself.
 *
 * @example plural("en", "comments.openCount", 1) // "1 open comment"
 * @example plural("en", "comments.openCount", 1250) // "1,250 open comments"
 * @example plural("id", "comments.openCount", 1) // "1 komentar terbuka"
 */
export function plural(locale: Locale, key: PluralKey, n: number, params?: Record<string, string | number>): string {
  const dict = DICTIONARIES[locale];
  const category = pluralCategory(n, locale);
  const specific = `${key}.${category}` as MessageKey;
  const template = (category !== "other" && (dict[specific] ?? en[specific])) || (dict[key] ?? en[key]);
  return format(template, { n: fmtInt(n, locale), ...params });
}
