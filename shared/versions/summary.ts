import { type ContentDiff, diffContents, type NamedTerritory } from "./compare.ts";
import { unpackUnits, type VersionContent } from "./content.ts";

/** Thousands with commas, whatever the runtime's locale. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** Up to two names, then how many more. */
function names(list: readonly NamedTerritory[]): string {
  const shown = list.slice(0, 2).map((t) => t.name);
  return list.length > 2 ? `${shown.join(", ")} and ${list.length - 2} more` : shown.join(", ");
}

function percent(v: number | null): string {
  return v === null ? "the default" : `±${Math.round(v * 1000) / 10} %`;
}

/**
 * One line saying what a version changed since the previous one, for the
 * History list (issue 14): "2 territories added (Bogor, Depok), 120 units
 * moved, accounts re-imported". English; a client translating it can use
 * {@link diffContents} itself.
 *
 * @example summaryLine(null, first) // "10 territories, 3,612 units assigned"
 */
export function summaryLine(
  previous: VersionContent | null,
  next: VersionContent,
  unitIds?: { a: readonly string[] | null; b: readonly string[] | null },
): string {
  if (!previous) {
    const units = next.units ? unpackUnits(next).filter((t) => t !== null).length : null;
    return `${plural(next.territories.length, "territory", "territories")}${units === null ? "" : `, ${plural(units, "unit")} assigned`}`;
  }
  const parts = phrases(diffContents(previous, next, unitIds), previous);
  if (parts.length === 0) return "No change since the previous version";
  const line = parts.join(", ");
  return line.charAt(0).toUpperCase() + line.slice(1);
}

function phrases(d: ContentDiff, previous: VersionContent): string[] {
  const parts: string[] = [];
  if (d.added.length > 0) {
    parts.push(`${plural(d.added.length, "territory", "territories")} added (${names(d.added)})`);
  }
  if (d.removed.length > 0)
    parts.push(`${plural(d.removed.length, "territory", "territories")} removed (${names(d.removed)})`);
  const has = (f: string) => d.changed.filter((t) => (t.fields as string[]).includes(f));
  const reshaped = has("geometry");
  if (reshaped.length > 0)
    parts.push(`${plural(reshaped.length, "territory", "territories")} reshaped (${names(reshaped)})`);
  if (d.unitsMoved.length > 0) parts.push(`${plural(d.unitsMoved.length, "unit")} moved`);
  const renamed = has("name");
  if (renamed.length > 0) parts.push(`${plural(renamed.length, "territory", "territories")} renamed`);
  const updated = d.changed.filter((t) => t.fields.some((f) => f !== "geometry" && f !== "units" && f !== "name"));
  if (updated.length > 0) parts.push(`${plural(updated.length, "territory", "territories")} updated`);
  if (d.pinsChanged > 0) parts.push(`${plural(d.pinsChanged, "pin")} changed`);
  if (d.settings.allowedDeviation) {
    const { from, to } = d.settings.allowedDeviation;
    parts.push(`allowed deviation ${percent(from)} → ${percent(to)}`);
  }
  if (d.settings.name) parts.push(`plan renamed to “${d.settings.name.to}”`);
  if (d.layerChanged) {
    parts.push(
      d.layers.from === 0
        ? "built from units"
        : d.layers.to === 0
          ? "back to drawn territories"
          : "unit layer replaced",
    );
  }
  if (d.accountsChanged) parts.push(previous.accountsVersion === 0 ? "accounts imported" : "accounts re-imported");
  if (d.competitorsChanged) {
    parts.push(previous.competitorsVersion === 0 ? "competitors imported" : "competitors re-imported");
  }
  return parts;
}
