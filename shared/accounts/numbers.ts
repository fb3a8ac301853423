/**
 * Numbers as people type them in English and Indonesian spreadsheets:
 * `1250000.50`, `1,250,000.50`, `1.250.000,50`, `-6,2001`, `Rp 1.250.000`.
 *
 * Most cells say which convention they use: a cell with both `.` and `,`
 * has its decimal separator last; a separator that repeats groups
 * thousands; a single separator not followed by exactly three digits is a
 * decimal one. Only a cell like `1.250` or `12,500` (one separator, one to
 * three digits before it, not `0`, exactly three after) could be either; for
 * those the *column* decides ({@link columnDecimal}), never the cell alone,
 * so one column never mixes 1.25 and 1250.
 *
 * Plain loops over char codes: these run once or twice per cell of a
 * 100,000-row file, so no regex and no string is built unless the cell has
 * separators to strip.
 */

/** Which character is a column's decimal separator (the other one groups thousands). */
export type Decimal = "." | ",";

/** What a cell says about its convention. */
export const Evidence = {
  /** Not a number in any convention. */
  none: 0,
  /** A number with nothing to say: `12`, `-3`, `1e5`. */
  neutral: 1,
  /** Decimal point: `12.5`, `1,250,000`, `1,250.5`. */
  dot: 2,
  /** Decimal comma: `12,5`, `1.250.000`, `1.250,5`. */
  comma: 3,
  /** One separator that reads both ways: `1.250`, `12,500`. */
  ambiguous: 4,
} as const;
export type Evidence = (typeof Evidence)[keyof typeof Evidence];
// The same as plain constants for the hot paths below.
const NONE = 0;
const NEUTRAL = 1;
const DOT_EV = 2;
const COMMA_EV = 3;
const AMBIGUOUS = 4;

const DOT = 46;
const COMMA = 44;
const PLUS = 43;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 160 || c === 10 || c === 13;
}

/** What scanNumber found in a cell; reused between calls (one object, no allocation per cell). */
interface Scan {
  ok: boolean;
  start: number;
  end: number;
  /** Index of the first digit after the sign and any `Rp`. */
  body: number;
  dots: number;
  commas: number;
  lastDot: number;
  lastComma: number;
  firstSep: number;
  /** Index of `e`/`E`, or -1. */
  exp: number;
}
const scan: Scan = {
  ok: false,
  start: 0,
  end: 0,
  body: 0,
  dots: 0,
  commas: 0,
  lastDot: -1,
  lastComma: -1,
  firstSep: -1,
  exp: -1,
};

/** Checks the characters of `s`: optional sign, optional `Rp`, digits and separators, optional exponent. */
function scanNumber(s: string): Scan {
  const r = scan;
  r.ok = false;
  let start = 0;
  let end = s.length;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  r.start = start;
  r.end = end;
  if (start === end) return r;
  let i = start;
  let c = s.charCodeAt(i);
  if (c === PLUS || c === MINUS) c = s.charCodeAt(++i);
  // Rupiah amounts: "Rp 1.250.000", "Rp1.250.000", "Rp. 1.250.000".
  if ((c === 82 || c === 114) && (s.charCodeAt(i + 1) === 112 || s.charCodeAt(i + 1) === 80)) {
    i += 2;
    if (s.charCodeAt(i) === DOT) i++;
    while (i < end && isSpace(s.charCodeAt(i))) i++;
  }
  r.body = i;
  r.dots = 0;
  r.commas = 0;
  r.lastDot = -1;
  r.lastComma = -1;
  r.firstSep = -1;
  r.exp = -1;
  let digits = 0;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      digits++;
    } else if (c === DOT) {
      r.dots++;
      r.lastDot = i;
      if (r.firstSep < 0) r.firstSep = i;
    } else if (c === COMMA) {
      r.commas++;
      r.lastComma = i;
      if (r.firstSep < 0) r.firstSep = i;
    } else if ((c === 101 || c === 69) && digits > 0) {
      // Exponent: [eE][+-]?digits to the end.
      r.exp = i;
      let k = i + 1;
      const sign = s.charCodeAt(k);
      if (sign === PLUS || sign === MINUS) k++;
      if (k >= end) return r;
      for (; k < end; k++) {
        const d = s.charCodeAt(k);
        if (d < ZERO || d > NINE) return r;
      }
      break;
    } else {
      return r;
    }
  }
  if (digits === 0) return r;
  r.ok = true;
  return r;
}

/** Digits between `from` and `to` (exclusive), or -1 when something else is there. */
function digitRun(s: string, from: number, to: number): number {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c < ZERO || c > NINE) return -1;
  }
  return to - from;
}

/** True when the single separator at `sep` could group thousands: `1.250`, `12,500`, `-999.000`. */
function couldGroup(s: string, r: Scan, sep: number): boolean {
  const before = digitRun(s, r.body, sep);
  const numEnd = r.exp >= 0 ? r.exp : r.end;
  return before >= 1 && before <= 3 && s.charCodeAt(r.body) !== ZERO && digitRun(s, sep + 1, numEnd) === 3;
}

function classify(s: string, r: Scan): Evidence {
  if (!r.ok) return NONE;
  if (r.dots === 0 && r.commas === 0) return NEUTRAL;
  if (r.dots > 0 && r.commas > 0) return r.lastDot > r.lastComma ? DOT_EV : COMMA_EV;
  if (r.dots > 1) return COMMA_EV;
  if (r.commas > 1) return DOT_EV;
  const sep = r.dots === 1 ? r.lastDot : r.lastComma;
  if (couldGroup(s, r, sep)) return AMBIGUOUS;
  return r.dots === 1 ? DOT_EV : COMMA_EV;
}

/**
 * What one cell says about its column's convention.
 *
 * @example
 * numberEvidence("-6,2001") // Evidence.comma
 * numberEvidence("1.250")   // Evidence.ambiguous
 */
export function numberEvidence(s: string): Evidence {
  return classify(s, scanNumber(s));
}

/**
 * Reads a number written in either convention; `decimal` is the column's
 * convention and only settles cells that read both ways (`1.250`). NaN when
 * the cell is not a number: letters, a misplaced group (`1.25.0`), an empty
 * cell.
 *
 * @example
 * parseLocaleNumber("1.250.000,50", ",") // 1250000.5
 * parseLocaleNumber("1,250,000.50", ",") // 1250000.5 (unambiguous, so the column's convention is not needed)
 * parseLocaleNumber("1.250", ",")        // 1250
 * parseLocaleNumber("1.250", ".")        // 1.25
 */
export function parseLocaleNumber(s: string, decimal: Decimal): number {
  const r = scanNumber(s);
  const ev = classify(s, r);
  if (ev === NONE) return Number.NaN;
  if (ev === NEUTRAL) return rebuild(s, r, -1, -1);
  if (ev === AMBIGUOUS) {
    // One separator: the column's convention says whether it is the decimal one.
    const sep = r.dots === 1 ? DOT : COMMA;
    const isDecimal = (decimal === "." ? DOT : COMMA) === sep;
    return isDecimal ? rebuild(s, r, -1, r.firstSep) : rebuild(s, r, sep, -1);
  }
  const dec = ev === DOT_EV ? DOT : COMMA;
  const group = dec === DOT ? COMMA : DOT;
  const decCount = dec === DOT ? r.dots : r.commas;
  const groupCount = dec === DOT ? r.commas : r.dots;
  if (decCount > 1) return Number.NaN;
  const decAt = decCount === 1 ? (dec === DOT ? r.lastDot : r.lastComma) : -1;
  if (groupCount > 0 && !groupedValid(s, r, group, decAt >= 0 ? decAt : r.exp >= 0 ? r.exp : r.end)) {
    return Number.NaN;
  }
  return rebuild(s, r, group, decAt);
}

/** Groups of `group` in the integer part: 1–3 digits, then exactly three per group. */
function groupedValid(s: string, r: Scan, group: number, intEnd: number): boolean {
  let run = 0;
  let first = true;
  for (let k = r.body; k < intEnd; k++) {
    const c = s.charCodeAt(k);
    if (c === group) {
      if (first ? run < 1 || run > 3 : run !== 3) return false;
      first = false;
      run = 0;
    } else if (c >= ZERO && c <= NINE) {
      run++;
    } else {
      return false;
    }
  }
  return first || run === 3;
}

const MAX_EXACT = 2 ** 53;
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * The number with `group` characters dropped and the decimal separator at
 * `decAt` read as a point. Without building a string when it can: all the
 * digits as one integer N below 2^53 and k decimals (k ≤ 22) give N / 10^k,
 * one correctly rounded division of two exact values, which is the same
 * double `Number("…")` returns (Clinger's fast path, as in strtod), so
 * `-6,2001` reads exactly as `-6.2001` does and exports back unchanged.
 */
function rebuild(s: string, r: Scan, group: number, decAt: number): number {
  const negative = s.charCodeAt(r.start) === MINUS;
  if (r.exp < 0) {
    let n = 0;
    let decimals = -1;
    let k = r.body;
    for (; k < r.end; k++) {
      const c = s.charCodeAt(k);
      if (c >= ZERO && c <= NINE) {
        n = n * 10 + (c - ZERO);
        if (decimals >= 0) decimals++;
      } else if (k === decAt) decimals = 0;
      else if (c !== group) return Number.NaN;
      if (n >= MAX_EXACT) break;
    }
    if (k === r.end && decimals <= 22) {
      const v = decimals > 0 ? n / (POW10[decimals] as number) : n;
      return negative ? -v : v;
    }
  }
  let out = negative ? "-" : "";
  for (let k = r.body; k < r.end; k++) {
    const c = s.charCodeAt(k);
    if (c === group) continue;
    if (k === decAt) out += ".";
    else if (c === DOT || c === COMMA) return Number.NaN;
    else out += s[k];
  }
  return out === "" || out === "-" ? Number.NaN : Number(out);
}

/**
 * The decimal separator a column uses, from the evidence of its cells:
 * whichever of `dot` and `comma` more cells show. With no evidence either
 * way (every cell is `12` or `1.250`-like), or a tie, `fallback` decides:
 * the importer passes the convention of the whole file.
 */
export function columnDecimal(dot: number, comma: number, fallback: Decimal): Decimal {
  if (dot > comma) return ".";
  if (comma > dot) return ",";
  return fallback;
}
