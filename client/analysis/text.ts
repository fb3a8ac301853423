import type { Issue } from "../../shared/scoring/types.ts";
import { en, type MessageKey } from "../i18n/en.ts";
import { format, type Locale } from "../i18n/format.ts";
import { id } from "../i18n/id.ts";
import { fmtArea, fmtInt, fmtMetricExact, fmtPct } from "../i18n/numbers.ts";
import { plural } from "../i18n/plural.ts";

/**
 * Words for the scores: metric names and issue sentences, in either
 * language. Pure (dictionaries in, text out) so it is tested without a DOM;
 * components call it with `i18n.locale`.
 */

const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, id };

function tr(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return format(DICTIONARIES[locale][key] ?? en[key], params);
}

const KNOWN_METRICS = new Set([
  "accounts",
  "revenue",
  "potential",
  "visits",
  "areaKm2",
  "compactness",
  "competitors",
  "population",
  "units",
]);
/** A competitor column's sum is named `competitor_<column>` (shared/balance/proposal.ts metricValue). */
const COMPETITOR_PREFIX = "competitor_";

/**
 * A metric's display name: the known ones translated, an imported column's
 * own name made readable ("store_size" → "Store size").
 */
export function metricLabel(metric: string, locale: Locale): string {
  if (KNOWN_METRICS.has(metric)) return tr(locale, `metric.${metric}` as MessageKey);
  if (metric.startsWith(COMPETITOR_PREFIX) && metric.length > COMPETITOR_PREFIX.length) {
    const column = metricLabel(metric.slice(COMPETITOR_PREFIX.length), locale);
    return tr(locale, "metric.competitorColumn", { column });
  }
  const words = metric
    .replace(/[_-]+/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : metric;
}

const PROBLEMS = new Set(["too-few-points", "zero-area", "self-intersection", "hole-outside", "parts-overlap"]);

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * The sentence for an issue. English is the server's own `message` (the
 * reference wording); another language is built from `kind` + `params`, and
 * falls back to `message` when a param it needs is missing (an older or
 * newer server).
 *
 * @example issueSentence(overlap, "id") // "“A” dan “B” tumpang tindih seluas 12 km², dan 3 akun dihitung di keduanya."
 */
export function issueSentence(issue: Issue, locale: Locale): string {
  if (locale === "en") return issue.message;
  return translateIssue(issue, locale) ?? issue.message;
}

/** Builds the sentence from kind + params; null when the params do not fit. */
export function translateIssue(issue: Issue, locale: Locale): string | null {
  const p = issue.params ?? {};
  switch (issue.kind) {
    case "invalid-geometry": {
      const territory = str(p.territory);
      const problem = str(p.problem);
      if (territory === null || problem === null || !PROBLEMS.has(problem)) return null;
      const n = num(p.intersections) ?? 0;
      const where = problem === "self-intersection" && n > 0 ? plural(locale, "issue.invalid-geometry.where", n) : "";
      return tr(locale, "issue.invalid-geometry", {
        territory,
        problem: tr(locale, `issue.problem.${problem}` as MessageKey),
        where,
      });
    }
    case "overlap": {
      const territory = str(p.territory);
      const other = str(p.other);
      const area = num(p.areaKm2) ?? num(issue.areaKm2);
      if (territory === null || other === null || area === null) return null;
      const accounts = num(p.accounts) ?? 0;
      const counted = accounts > 0 ? plural(locale, "issue.overlap.counted", accounts) : "";
      return tr(locale, "issue.overlap", { territory, other, area: fmtArea(area, locale), counted });
    }
    case "unassigned-accounts": {
      const accounts = num(p.accounts);
      const share = num(p.share);
      if (accounts === null || share === null) return null;
      return plural(locale, "issue.unassigned-accounts", accounts, {
        accounts: fmtInt(accounts, locale),
        share: fmtPct(share, locale),
      });
    }
    case "disconnected": {
      const territory = str(p.territory);
      const parts = num(p.parts);
      if (territory === null || parts === null) return null;
      return tr(locale, "issue.disconnected", { territory, parts: fmtInt(parts, locale) });
    }
    case "deviation": {
      const territory = str(p.territory);
      const metric = str(p.metric);
      const value = num(p.value);
      const reference = num(p.reference);
      const deviation = num(p.deviation);
      const allowed = num(p.allowed);
      if (
        territory === null ||
        metric === null ||
        value === null ||
        reference === null ||
        deviation === null ||
        allowed === null
      ) {
        return null;
      }
      const above = p.direction === "above" || (p.direction === undefined && deviation > 0);
      const counted = metric === "accounts";
      const amountKey: MessageKey = above
        ? counted
          ? "issue.amount.aboveCount"
          : "issue.amount.above"
        : counted
          ? "issue.amount.belowCount"
          : "issue.amount.below";
      return tr(locale, "issue.deviation", {
        territory,
        amount: tr(locale, amountKey, { pct: fmtPct(Math.abs(deviation), locale) }),
        metric: metricLabel(metric, locale).toLocaleLowerCase(locale === "id" ? "id-ID" : "en-US"),
        reference: tr(locale, p.source === "target" ? "issue.reference.target" : "issue.reference.mean"),
        value: fmtMetricExact(metric, value, locale),
        target: fmtMetricExact(metric, reference, locale),
        allowed: fmtPct(allowed, locale),
      });
    }
    default:
      return null;
  }
}
