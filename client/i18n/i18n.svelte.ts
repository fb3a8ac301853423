import { en, type MessageKey } from "./en.ts";
import { detectLocale, format, type Locale } from "./format.ts";
import { id } from "./id.ts";
import { type PluralKey, plural } from "./plural.ts";

export type { Locale };
export const LOCALES: { code: Locale; label: string }[] = [
  { code: "en", label: "English" },
  { code: "id", label: "Bahasa Indonesia" },
];

const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, id };
const STORAGE_KEY = "wilayah.locale";

class I18n {
  locale = $state<Locale>("en");

  constructor() {
    const stored = typeof localStorage !== "undefined" ? localStorage.getItem(STORAGE_KEY) : null;
    this.locale =
      stored === "en" || stored === "id"
        ? stored
        : detectLocale(typeof navigator !== "undefined" ? (navigator.languages ?? [navigator.language]) : []);
    this.#apply();
  }

  set(locale: Locale): void {
    this.locale = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    this.#apply();
  }

  /** Translates a key; reading `locale` makes templates re-render on a switch. */
  t = (key: MessageKey, params?: Record<string, string | number>): string =>
    format(DICTIONARIES[this.locale][key] ?? en[key], params);

  /** A counted sentence by the language's plural rules ("1 open comment", "2 open comments"); `{n}` is the count. */
  tn = (key: PluralKey, n: number, params?: Record<string, string | number>): string =>
    plural(this.locale, key, n, params);

  #apply(): void {
    if (typeof document !== "undefined") document.documentElement.lang = this.locale;
  }
}

export const i18n = new I18n();
export const t = i18n.t;
export const tn = i18n.tn;
