import { Evidence, numberEvidence, parseLocaleNumber } from "../../shared/accounts/numbers.ts";
import type { Locale } from "./format.ts";

/**
 * Numbers as a person in that language reads them (id: 1.234,5; en:
 * 1,234.5). Formatters are cached per locale and shape: Intl.NumberFormat is
 * slow to build and a metrics table formats hundreds of cells per update.
 */

const TAGS: Record<Locale, string> = { en: "en-US", id: "id-ID" };
const cache = new Map<string, Intl.NumberFormat>();

function nf(locale: Locale, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${locale}|${key}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.NumberFormat(TAGS[locale], options);
    cache.set(k, f);
  }
  return f;
}

/** 1234567 → "1,234,567" (en) / "1.234.567" (id). */
export function fmtInt(n: number, locale: Locale): string {
  return nf(locale, "int", { maximumFractionDigits: 0 }).format(n);
}

/** Up to `digits` decimals. */
export function fmtNum(n: number, locale: Locale, digits = 2): string {
  return nf(locale, `num${digits}`, { maximumFractionDigits: digits }).format(n);
}

/** Short form for large values: 1234567 → "1.2M" (en) / "1,2 jt" (id); small values in full. */
export function fmtCompact(n: number, locale: Locale): string {
  if (Math.abs(n) < 10_000) return Number.isInteger(n) ? fmtInt(n, locale) : fmtNum(n, locale, 1);
  return nf(locale, "compact", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}

/**
 * A fraction as a percentage: 0.253 → "25%", 0.004 → "0.4%". With `signed`,
 * "+25%" / "−25%" (a real minus sign, as in the deviation bars).
 */
export function fmtPct(fraction: number, locale: Locale, signed = false): string {
  const p = fraction * 100;
  const abs = Math.abs(p);
  const digits = abs < 10 && abs !== 0 && Math.round(abs) !== abs ? 1 : 0;
  const body = nf(locale, `pct${digits}`, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(abs);
  const rounded = Number(abs.toFixed(digits));
  const sign = !signed || rounded === 0 ? (p < 0 && rounded !== 0 ? "−" : "") : p > 0 ? "+" : "−";
  return `${sign}${body}%`;
}

/** An area in km² (m² below 0.01 km²). */
export function fmtArea(km2: number, locale: Locale): string {
  if (km2 >= 100) return `${fmtInt(km2, locale)} km²`;
  if (km2 >= 1) return `${fmtNum(km2, locale, 1)} km²`;
  if (km2 >= 0.01) return `${fmtNum(km2, locale, 2)} km²`;
  return `${fmtInt(km2 * 1e6, locale)} m²`;
}

/** A metric's value as shown in the tables: counts whole, sums compact, area in km², compactness 0–1. */
export function fmtMetric(metric: string, value: number, locale: Locale): string {
  if (!Number.isFinite(value)) return "–";
  if (metric === "areaKm2") return fmtArea(value, locale);
  if (metric === "compactness") return fmtNum(value, locale, 2);
  if (metric === "accounts") return fmtInt(value, locale);
  return fmtCompact(value, locale);
}

/** A metric's value in full, for sentences: "27,989", "12.5 km²", "3.25". */
export function fmtMetricExact(metric: string, value: number, locale: Locale): string {
  if (!Number.isFinite(value)) return "–";
  if (metric === "areaKm2") return fmtArea(value, locale);
  if (metric === "compactness") return fmtNum(value, locale, 2);
  return Number.isInteger(value) || Math.abs(value) >= 100 ? fmtInt(value, locale) : fmtNum(value, locale, 2);
}

/**
 * Reads a number a person typed, in their language's convention or the other
 * one: "1.250.000" and "1.250.000,5" (id), "1,250,000.5" (en), "1250000",
 * with spaces, "Rp" or "IDR" around it. A lone separator is the decimal one,
 * except a group separator followed by exactly three digits ("1.250" in id,
 * "1,250" in en). Null for anything else, so a form can say it is not a number.
 *
 * @example parseNumber("1.250.000", "id") // 1250000
 * @example parseNumber("1,5", "id") // 1.5
 */
export function parseNumber(text: string, locale: Locale): number | null {
  // The import's own reader (shared/accounts/numbers.ts), so a number means
  // the same typed in a form as in a CSV; here the locale says which
  // separator is the decimal one when only one appears.
  const s = normalise(text);
  if (s === null) return null;
  const n = parseLocaleNumber(s, locale === "id" ? "," : ".");
  return Number.isFinite(n) ? n : null;
}

/**
 * Which way a number like `60.000` or `60,000` is taken: its separator
 * groups thousands (sixty thousand) or marks decimals (sixty).
 */
export type SeparatorReading = "grouped" | "decimal";

/** What a person typed, read by what it can mean. */
export type NumberReading =
  | { kind: "empty" }
  | { kind: "invalid" }
  /** Only one number fits: `60.5`, `1.234.567`, `1,234,567.5`, `60000`. */
  | { kind: "exact"; value: number }
  /**
   * One separator followed by exactly three digits (`60.000`, `60,000`):
   * sixty thousand in one convention, sixty in the other. `value` is the
   * reading in force (`as`); the form shows it and lets the person flip it.
   */
  | { kind: "ambiguous"; value: number; as: SeparatorReading; grouped: number; decimal: number };

/** Spaces, a currency in front, a typographic minus: what parseNumber and readNumber ignore. */
function normalise(text: string): string | null {
  const s = text
    .replace(/[\s\u00a0\u202f]/g, "")
    .replace(/^(-|−)?(rp\.?|idr)/i, "$1")
    .replace(/^−/, "-");
  return /^-?[0-9.,]+$/.test(s) && /[0-9]/.test(s) ? s : null;
}

/**
 * Reads a number by what it can mean rather than by the interface's
 * language alone (issue 10: an Indonesian team often uses the English
 * interface, and `60.000` typed there was stored as 60). Unambiguous
 * input is read at once; a single `.` or `,` followed by exactly three
 * digits could group thousands or mark decimals, so both readings come
 * back, the one in force being `as` when given, else the language's
 * convention. A group never starts with 0, so `0.250` is a decimal.
 *
 * @example readNumber("60.5", "en") // { kind: "exact", value: 60.5 }
 * @example readNumber("60.000", "en") // { kind: "ambiguous", value: 60, as: "decimal", grouped: 60000, decimal: 60 }
 * @example readNumber("60.000", "en", "grouped").value // 60000
 */
export function readNumber(text: string, locale: Locale, as?: SeparatorReading): NumberReading {
  if (text.trim() === "") return { kind: "empty" };
  const s = normalise(text);
  if (s === null) return { kind: "invalid" };
  if (numberEvidence(s) === Evidence.ambiguous) {
    const sep = s.includes(".") ? "." : ",";
    const decimal = parseLocaleNumber(s, sep);
    const grouped = parseLocaleNumber(s, sep === "." ? "," : ".");
    // The language's own convention decides until the person says otherwise.
    const natural: SeparatorReading = (locale === "id" ? "," : ".") === sep ? "decimal" : "grouped";
    const reading = as ?? natural;
    return { kind: "ambiguous", value: reading === "grouped" ? grouped : decimal, as: reading, grouped, decimal };
  }
  const n = parseLocaleNumber(s, locale === "id" ? "," : ".");
  return Number.isFinite(n) ? { kind: "exact", value: n } : { kind: "invalid" };
}

const WORDS: Record<Locale, { thousand: string; point: string }> = {
  en: { thousand: "thousand", point: "point" },
  id: { thousand: "ribu", point: "koma" },
};

/**
 * One reading of an ambiguous number in words, the way it is said aloud,
 * so that neither reading can be mistaken for the other whatever
 * convention the reader is used to: 60000 → "60 thousand" / "60 ribu",
 * 1250 → "1 thousand 250", 1.25 → "1 point 25" / "1 koma 25", 60 → "60".
 * No separators appear in the words, which is the point.
 *
 * @example sayReading(60000, "grouped", "en") // "60 thousand"
 * @example sayReading(1.25, "decimal", "id") // "1 koma 25"
 */
export function sayReading(value: number, as: SeparatorReading, locale: Locale): string {
  const sign = value < 0 ? "−" : "";
  const abs = Math.abs(value);
  const words = WORDS[locale];
  if (as === "grouped" && abs >= 1000 && Number.isInteger(abs)) {
    const rest = abs % 1000;
    return `${sign}${Math.floor(abs / 1000)} ${words.thousand}${rest ? ` ${rest}` : ""}`;
  }
  // At most three decimals (one separator, three digits): toFixed(3) is exact, trailing zeros go.
  const [whole, frac = ""] = abs.toFixed(3).split(".");
  const digits = frac.replace(/0+$/, "");
  return `${sign}${whole}${digits ? ` ${words.point} ${digits}` : ""}`;
}

/** A value typed in a form, shown back grouped: 1250000 → "1,250,000" (en) / "1.250.000" (id), decimals kept (up to 2). */
export function fmtInput(n: number, locale: Locale): string {
  return Number.isInteger(n) ? fmtInt(n, locale) : fmtNum(n, locale, 2);
}

const dateCache = new Map<string, Intl.DateTimeFormat>();

/** A date (and the time, with `time`) as the language writes it: "Mar 12, 2025" (en), "12 Mar 2025" (id). */
export function fmtDate(at: Date | number, locale: Locale, time = false): string {
  const k = `${locale}|${time}`;
  let f = dateCache.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(
      TAGS[locale],
      time ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" },
    );
    dateCache.set(k, f);
  }
  return f.format(at);
}

/** A time of day with seconds, for "updated 14:05:09" (en) / "14.05.09" (id). */
export function fmtTime(at: Date | number, locale: Locale): string {
  const k = `${locale}|clock`;
  let f = dateCache.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(TAGS[locale], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    dateCache.set(k, f);
  }
  return f.format(at);
}
