import type { MessageKey } from "../i18n/en.ts";
import type { Locale } from "../i18n/format.ts";
import type { PluralKey } from "../i18n/plural.ts";

/**
 * A version's one-line summary in the reader's language (issue 14). The
 * server writes it in English from a fixed set of phrases
 * (shared/versions/summary.ts: "2 territories added (Bogor, Depok), 120
 * units moved, accounts re-imported"); this reads those phrases back and
 * says them again with the client's words. A line with anything it does
 * not recognise is shown as the server wrote it, never half translated.
 */

type Tr = (key: MessageKey, params?: Record<string, string | number>) => string;
type Tn = (key: PluralKey, n: number) => string;

/** The count as the server wrote it ("3,612") → a number. */
function count(text: string): number {
  return Number(text.replace(/,/g, ""));
}

/** "Bogor, Depok and 3 more" → "Bogor, Depok dan 3 lainnya" (names stay as they are). */
function names(list: string, tr: Tr): string {
  const more = /^(.*) and (\d[\d,]*) more$/.exec(list);
  return more ? tr("history.summary.more", { names: more[1] ?? "", n: count(more[2] ?? "0") }) : list;
}

/** One phrase of the line, or null when it is not one the server writes. */
function phrase(text: string, tr: Tr, tn: Tn): string | null {
  let m = /^(\d[\d,]*) territor(?:y|ies) (added|removed|reshaped) \((.*)\)$/i.exec(text);
  if (m) {
    const what = m[2]?.toLowerCase() as "added" | "removed" | "reshaped";
    return `${tn(`history.compare.${what}`, count(m[1] ?? "0"))} (${names(m[3] ?? "", tr)})`;
  }
  m = /^(\d[\d,]*) territor(?:y|ies) (renamed|updated)$/i.exec(text);
  if (m) return tn(`history.summary.${m[2]?.toLowerCase() as "renamed" | "updated"}`, count(m[1] ?? "0"));
  m = /^(\d[\d,]*) units? moved$/i.exec(text);
  if (m) return tn("history.summary.units", count(m[1] ?? "0"));
  m = /^(\d[\d,]*) pins? changed$/i.exec(text);
  if (m) return tn("history.summary.pins", count(m[1] ?? "0"));
  m = /^allowed deviation (.+) → (.+)$/i.exec(text);
  if (m) return tr("history.summary.deviation", { from: m[1] ?? "", to: m[2] ?? "" });
  m = /^plan renamed to “(.*)”$/i.exec(text);
  if (m) return tr("history.summary.planName", { name: m[1] ?? "" });
  const fixed: Record<string, MessageKey> = {
    "built from units": "history.summary.builtFromUnits",
    "back to drawn territories": "history.summary.backToDrawn",
    "unit layer replaced": "history.summary.layerReplaced",
    "accounts imported": "history.summary.accountsImported",
    "accounts re-imported": "history.summary.accountsReimported",
    "competitors imported": "history.summary.competitorsImported",
    "competitors re-imported": "history.summary.competitorsReimported",
  };
  const key = fixed[text.toLowerCase()];
  return key ? tr(key) : null;
}

/** The line's phrases: split at ", " outside the parentheses that hold names. */
function phrases(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0 && line[i + 1] === " ") {
      out.push(line.slice(start, i));
      start = i + 2;
    }
  }
  out.push(line.slice(start));
  return out;
}

/**
 * @example versionSummary("2 territories added (Bogor, Depok), accounts re-imported", "id", t, tn)
 * // "2 wilayah ditambahkan (Bogor, Depok), akun diimpor ulang"
 */
export function versionSummary(summary: string, locale: Locale, tr: Tr, tn: Tn): string {
  if (locale === "en" || summary === "") return summary;
  if (summary === "No change since the previous version") return tr("history.summary.none");
  const first = /^(\d[\d,]*) territor(?:y|ies)(?:, (\d[\d,]*) units? assigned)?$/.exec(summary);
  if (first) {
    const territories = tn("history.summary.territories", count(first[1] ?? "0"));
    return first[2] ? `${territories}, ${tn("history.summary.assigned", count(first[2]))}` : territories;
  }
  const out: string[] = [];
  for (const p of phrases(summary)) {
    const said = phrase(p, tr, tn);
    if (said === null) return summary;
    out.push(said);
  }
  const line = out.join(", ");
  return line.charAt(0).toLocaleUpperCase(locale === "id" ? "id-ID" : "en-US") + line.slice(1);
}
