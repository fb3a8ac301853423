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
