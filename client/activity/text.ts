import type { ActivityDetails, ActivityEntry, MetricSnapshot } from "../../shared/activity/activity.ts";
import { isRole, type Role } from "../../shared/access/roles.ts";
import { metricLabel } from "../analysis/text.ts";
import { en, type MessageKey } from "../i18n/en.ts";
import { format, type Locale } from "../i18n/format.ts";
import { id } from "../i18n/id.ts";
import { fmtCompact, fmtInt, fmtPct } from "../i18n/numbers.ts";
import { plural } from "../i18n/plural.ts";

/**
 * Words for the activity feed, in either language. Pure (entry in, text
 * out) so it is tested without a DOM; components call it with `i18n.locale`.
 * Names come from people and are inserted as text, never as HTML.
 */

const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, id };

function tr(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return format(DICTIONARIES[locale][key] ?? en[key], params);
}

export interface ActivityText {
  /** Who did it (the actor's name as recorded). */
  actor: string;
  /** What they did, without the actor: "reshaped Jakarta Utara". */
  action: string;
  /** How the metrics moved, how many edits, … ("accounts 120 → 134, revenue +4.2%"), or null. */
  detail: string | null;
  /** A comment's words, quoted as they were written, or null. */
  quote: string | null;
}

const FIELDS = new Set(["name", "color", "reps", "targets", "parent"]);

/**
 * The sentence for a feed entry, in parts so the UI can set the name apart.
 * `versionName` names a version the entry gives only by id (a restore taken back).
 *
 * @example activityText(reshape, "en") // { actor: "Budi", action: "reshaped Jakarta Utara", detail: "accounts 120 → 134, revenue +4.2%", quote: null }
 */
export function activityText(
  entry: ActivityEntry,
  locale: Locale,
  versionName?: (id: string) => string | undefined,
): ActivityText {
  const d = entry.details ?? {};
  const territory = entry.territoryName?.trim() || tr(locale, "activity.aTerritory");
  const place = entry.territoryName?.trim() || (entry.territoryId ? territory : tr(locale, "activity.theMap"));
  let action: string;
  const details: string[] = [];
  switch (entry.kind) {
    case "territory-renamed":
      action = tr(locale, "activity.kind.territory-renamed", {
        from: d.from?.trim() || territory,
        to: d.to?.trim() || territory,
      });
      break;
    case "territory-updated": {
      const fields = (d.fields ?? []).filter((f) => FIELDS.has(f));
      action =
        fields.length > 0
          ? tr(locale, "activity.kind.territory-updated", {
              fields: listFormat(
                fields.map((f) => tr(locale, `activity.field.${f}` as MessageKey)),
                locale,
              ),
              territory,
            })
          : tr(locale, "activity.kind.territory-updated.other", { territory });
      break;
    }
    case "accounts-imported":
    case "territories-imported":
      action = plural(locale, `activity.kind.${entry.kind}`, d.imported ?? 0);
      break;
    case "import-undone":
      action = plural(
        locale,
        d.fields?.includes("territories")
          ? "activity.kind.import-undone.territories"
          : "activity.kind.import-undone.accounts",
        d.imported ?? 0,
      );
      break;
    case "units-created":
      action = plural(
        locale,
        d.fields?.includes("admin") ? "activity.kind.units-created.admin" : "activity.kind.units-created",
        d.imported ?? 0,
      );
      break;
    case "units-removed":
      action = tr(locale, "activity.kind.units-removed");
      break;
    case "territory-painted":
      action = paintedAction(d, territory, locale);
      break;
    case "proposal-accepted":
    case "proposal-undone":
      action = plural(locale, `activity.kind.${entry.kind}`, d.count ?? 0);
      scoreDetail(d, locale, details);
      if (d.skipped) details.push(plural(locale, "activity.detail.skipped", d.skipped));
      if (d.kept) details.push(plural(locale, "activity.detail.kept", d.kept));
      break;
    case "version-saved":
    case "version-restored": {
      const name = d.versionName?.trim() || tr(locale, "activity.aVersion");
      const withAccounts = entry.kind === "version-restored" && d.fields?.includes("accounts");
      action = tr(locale, withAccounts ? "activity.kind.version-restored.accounts" : `activity.kind.${entry.kind}`, {
        name,
      });
      if (entry.kind === "version-restored") versionDetails(d, locale, details);
      break;
    }
    case "version-restore-undone": {
      const name = (d.versionId && versionName?.(d.versionId)?.trim()) || d.versionName?.trim();
      action = name
        ? tr(locale, "activity.kind.version-restore-undone", { name })
        : tr(locale, "activity.kind.version-restore-undone.unnamed");
      versionDetails(d, locale, details);
      if (d.kept) details.push(plural(locale, "activity.detail.keptChanges", d.kept));
      break;
    }
    case "scenario-promoted":
    case "scenario-promote-undone":
      action = tr(locale, `activity.kind.${entry.kind}`, { name: d.scenarioName?.trim() || "?" });
      versionDetails(d, locale, details);
      if (d.kept) details.push(plural(locale, "activity.detail.keptChanges", d.kept));
      break;
    case "suggestion-accepted":
    case "suggestion-declined":
    case "suggestion-undone":
      action = tr(locale, `activity.kind.${entry.kind}`, { name: d.suggestedBy?.trim() || "?", territory });
      scoreDetail(d, locale, details);
      break;
    case "link-rotated": {
      const role: Role = isRole(d.role) ? d.role : "view";
      action = tr(locale, "activity.kind.link-rotated", { link: tr(locale, `share.link.${role}`).toLowerCase() });
      break;
    }
    case "comment-added":
    case "comment-replied":
    case "comment-resolved":
    case "comment-reopened":
      action = tr(locale, `activity.kind.${entry.kind}`, { territory: place });
      break;
    case "territory-created":
    case "territory-reshaped":
    case "territory-deleted":
      action = tr(locale, `activity.kind.${entry.kind}`, { territory });
      break;
    default:
      action = tr(locale, "activity.kind.territory-updated.other", { territory: place });
  }
  if (
    entry.kind === "territory-reshaped" ||
    entry.kind === "territory-painted" ||
    entry.kind === "territory-created" ||
    entry.kind === "territory-deleted"
  ) {
    const change = metricChange(d.before ?? null, d.after ?? null, locale);
    if (change) details.push(change);
  }
  if (entry.count > 1) details.push(plural(locale, "activity.count", entry.count));
  const quote = d.excerpt?.trim() ? d.excerpt.trim() : null;
  return { actor: entry.actor.name || "?", action, detail: details.length ? details.join(" · ") : null, quote };
}

/** A restore's (or its undo's) changes and the score before → after. */
function versionDetails(d: ActivityDetails, locale: Locale, out: string[]): void {
  if (d.count !== undefined) out.push(plural(locale, "activity.detail.changes", d.count));
  scoreDetail(d, locale, out);
}

/** "balance score 47 → 71", when the step knows both. */
function scoreDetail(d: ActivityDetails, locale: Locale, out: string[]): void {
  if (d.score && d.score.before !== null && d.score.after !== null) {
    out.push(
      tr(locale, "activity.detail.score", {
        from: fmtInt(Math.round(d.score.before), locale),
        to: fmtInt(Math.round(d.score.after), locale),
      }),
    );
  }
}

/**
 * Strokes into or out of a territory: "painted 12 units into Bandung",
 * "painted 3 units out of Bandung", or both when one person's strokes did
 * both (the feed adds up a run of strokes on one territory).
 */
function paintedAction(d: ActivityDetails, territory: string, locale: Locale): string {
  const gained = d.gained ?? 0;
  const lost = d.lost ?? 0;
  if (gained > 0 && lost > 0) {
    return plural(locale, "activity.kind.territory-painted.both", gained, {
      territory,
      lost: fmtInt(lost, locale),
    });
  }
  if (lost > 0) return plural(locale, "activity.kind.territory-painted.out", lost, { territory });
  return plural(locale, "activity.kind.territory-painted", gained || (d.count ?? 0), { territory });
}

/** The whole sentence as one line (for titles and tests). */
export function activitySentence(entry: ActivityEntry, locale: Locale): string {
  const { actor, action, detail, quote } = activityText(entry, locale);
  return `${actor} ${action}${quote ? `: “${quote}”` : ""}${detail ? ` · ${detail}` : ""}`;
}

/** Most attribute sums worth naming in one line. */
const MAX_SUMS = 2;

/**
 * How an edit moved a territory's metrics: the account count from → to,
 * then the attribute sums that changed, as a signed percentage. Null when
 * nothing moved or the server sent no snapshots.
 *
 * @example metricChange({accounts:120,sums:{revenue:1000},areaKm2:5}, {accounts:134,sums:{revenue:1042},areaKm2:5}, "en") // "accounts 120 → 134, revenue +4.2%"
 */
export function metricChange(
  before: MetricSnapshot | null,
  after: MetricSnapshot | null,
  locale: Locale,
): string | null {
  if (!before && !after) return null;
  if (!before || !after) {
    const only = (after ?? before) as MetricSnapshot;
    // A new or deleted territory: how many accounts it took or left (nothing to say about none).
    return only.accounts > 0 ? plural(locale, "activity.detail.had", only.accounts) : null;
  }
  const parts: string[] = [];
  if (before.accounts !== after.accounts) {
    parts.push(
      tr(locale, "activity.detail.accounts", {
        from: fmtInt(before.accounts, locale),
        to: fmtInt(after.accounts, locale),
      }),
    );
  }
  const names = [...new Set([...Object.keys(before.sums ?? {}), ...Object.keys(after.sums ?? {})])];
  let sums = 0;
  for (const name of names) {
    if (sums >= MAX_SUMS) break;
    const a = before.sums?.[name] ?? 0;
    const b = after.sums?.[name] ?? 0;
    const text = relativeChange(a, b, locale);
    if (!text) continue;
    parts.push(`${metricLabel(name, locale).toLowerCase()} ${text}`);
    sums++;
  }
  if (parts.length === 0) {
    const area = relativeChange(before.areaKm2, after.areaKm2, locale);
    if (area) parts.push(tr(locale, "activity.detail.area", { change: area }));
  }
  return parts.length ? parts.join(", ") : null;
}

/** "+4.2%", "−10%", or "0 → 1.2M" from nothing; null when it did not visibly change. */
function relativeChange(a: number, b: number, locale: Locale): string | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return null;
  if (a === 0) return `${fmtCompact(a, locale)} → ${fmtCompact(b, locale)}`;
  const text = fmtPct((b - a) / Math.abs(a), locale, true);
  // Rounded away (a 0.01 % change): not worth a word.
  return /[1-9]/.test(text) ? text : null;
}

function listFormat(items: string[], locale: Locale): string {
  try {
    return new Intl.ListFormat(locale === "id" ? "id-ID" : "en-US", { type: "conjunction" }).format(items);
  } catch {
    return items.join(", ");
  }
}

/**
 * "just now", "3 minutes ago", "kemarin"… from an ISO time, relative to `now`.
 *
 * @example relativeTime("2025-01-01T10:00:00Z", Date.parse("2025-01-01T10:05:00Z"), "en") // "5 minutes ago"
 */
export function relativeTime(iso: string, now: number, locale: Locale): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "";
  const s = (at - now) / 1000;
  if (Math.abs(s) < 45) return tr(locale, "activity.justNow");
  const rtf = new Intl.RelativeTimeFormat(locale === "id" ? "id-ID" : "en-US", { numeric: "auto" });
  if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), "hour");
  if (Math.abs(s) < 7 * 86400) return rtf.format(Math.round(s / 86400), "day");
  return new Intl.DateTimeFormat(locale === "id" ? "id-ID" : "en-US", { day: "numeric", month: "short" }).format(at);
}

/** The role's name as people say it: Manager / Rep / Leader. */
export function roleName(role: Role, locale: Locale): string {
  return tr(locale, `role.name.${role}`);
}
