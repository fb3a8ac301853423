import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gridDisk, latLngToCell } from "h3-js";
import { describe, expect, it } from "vitest";
import { goldenSuite } from "../../tests/fixtures/golden.ts";
import { STORAGE, transact } from "../doc/origins.ts";
import { writeEntry } from "../doc/entries.ts";
import { writeUnitsVersion } from "../doc/schema.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { type Account, AccountIndex } from "../scoring/accounts.ts";
import { h3Layer } from "../units/h3-layer.ts";
import type { UnitLayer } from "../units/layer.ts";
import { analyzeVersion, VersionScorer } from "./analyze.ts";
import { compareVersions } from "./compare.ts";
import { contentOf, type VersionContent } from "./content.ts";
import { restoreWrites } from "./restore.ts";
import { summaryLine } from "./summary.ts";
import { type PlanSketch, planDoc } from "./testing.ts";

/**
 * Golden pairs, turf style: every tests/fixtures/versions/in/<case>.geojson
 * is two versions of one plan — Point features are the accounts (properties
 * id, name and numeric attributes), other features territories (properties
 * id, name, color, targets, reps, parent, and `side`: "from", "to" or
 * "both", the default; a territory in a unit plan has a null geometry);
 * members `from` and `to` hold each side's plan settings, pins and, in a
 * unit plan, `units` ({territory: [unit index…]}) over the H3 cells of
 * member `h3` ({center, k, resolution}). The output is the summary line, the
 * comparison and the restore's writes (from the `to` plan back to `from`).
 *
 * `REGEN=1 npx vitest run shared/versions/fixtures.test.ts` rewrites the
 * outputs; read the diff before committing it.
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/versions");

interface Side extends Omit<PlanSketch, "territories"> {
  accountsVersion?: number;
}

interface Pair {
  about: string;
  features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } | null }[];
  h3?: { center: [number, number]; k: number; resolution: number };
  from: Side;
  to: Side;
}

function round(_key: string, value: unknown): unknown {
  return typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(10))
    : value;
}

interface Built {
  layer: UnitLayer | null;
  side(which: "from" | "to"): { sketch: PlanSketch; content: VersionContent; accounts: AccountIndex };
}

/** Whether a feature belongs to a side (`side`: "from", "to" or "both", the default). */
function onSide(f: Pair["features"][number], which: "from" | "to"): boolean {
  return (f.properties.side ?? "both") !== (which === "from" ? "to" : "from");
}

function build(pair: Pair): Built {
  const accountsOf = (which: "from" | "to"): AccountIndex => {
    const accounts: Account[] = [];
    for (const f of pair.features) {
      if (f.geometry?.type !== "Point" || !onSide(f, which)) continue;
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const attrs: Record<string, number> = {};
      for (const [k, v] of Object.entries(f.properties)) if (typeof v === "number") attrs[k] = v;
      accounts.push({
        id: String(f.properties.id),
        name: String(f.properties.name ?? f.properties.id),
        lon,
        lat,
        attrs,
      });
    }
    return new AccountIndex(accounts);
  };
  const layer = pair.h3
    ? h3Layer(
        gridDisk(latLngToCell(pair.h3.center[1], pair.h3.center[0], pair.h3.resolution), pair.h3.k).sort(),
        pair.h3.resolution,
        1,
      )
    : null;
  return {
    layer,
    side(which) {
      const s = pair[which];
      const territories = pair.features
        .filter((f) => f.geometry?.type !== "Point" && onSide(f, which))
        .map((f) => {
          const p = f.properties;
          return {
            id: String(p.id),
            name: String(p.name ?? p.id),
            ...(typeof p.color === "string" ? { color: p.color } : {}),
            ...(p.targets ? { targets: p.targets as Record<string, number> } : {}),
            ...(p.reps ? { reps: p.reps as { name: string }[] } : {}),
            ...(p.parent !== undefined ? { parent: p.parent as string | null } : {}),
            ...(f.geometry ? { geometry: f.geometry as TerritoryGeometry } : {}),
          };
        });
      const sketch: PlanSketch = { ...s, territories };
      const refs = { accounts: s.accountsVersion ?? 1, competitors: 0, units: s.unitsVersion ?? 0 };
      return { sketch, content: contentOf(planDoc(sketch), refs), accounts: accountsOf(which) };
    },
  };
}

/** A write as the output shows it: geometry bytes by their size, not their base64. */
function shown(w: ReturnType<typeof restoreWrites>[number]) {
  const value = w.value?.startsWith("b") ? `<geometry, ${Math.floor(((w.value.length - 1) * 3) / 4)} bytes>` : w.value;
  return { map: w.map, key: w.key, ...(w.field ? { field: w.field } : {}), value };
}

function run(pair: Pair): unknown {
  const b = build(pair);
  const from = b.side("from");
  const to = b.side("to");
  const unitIds = b.layer ? b.layer.ids : null;
  const side = ({ content, accounts }: { content: VersionContent; accounts: AccountIndex }) => ({
    content,
    scored: analyzeVersion(content, { accounts, competitors: null, layer: content.unitsVersion > 0 ? b.layer : null }),
    accounts,
    unitIds: content.unitsVersion > 0 ? unitIds : null,
  });
  const comparison = compareVersions(side(from), side(to));
  const restore = restoreWrites(planDoc(to.sketch), from.content).map(shown);
  return JSON.parse(
    JSON.stringify(
      {
        about: pair.about,
        summary: summaryLine(from.content, to.content, {
          a: from.content.unitsVersion > 0 ? unitIds : null,
          b: to.content.unitsVersion > 0 ? unitIds : null,
        }),
        first: summaryLine(null, to.content),
        comparison,
        restore,
      },
      round,
    ),
  );
}

goldenSuite("version golden pairs", FIXTURES, 5, (text) => run(JSON.parse(text) as Pair));

describe("restoring a golden pair", () => {
  const inputs = fs.readdirSync(path.join(FIXTURES, "in")).filter((f) => f.endsWith(".geojson"));
  for (const file of inputs) {
    it(`${file}: the "to" plan with the restore's writes equals "from"`, () => {
      const b = build(JSON.parse(fs.readFileSync(path.join(FIXTURES, "in", file), "utf8")) as Pair);
      const from = b.side("from");
      const to = b.side("to");
      const doc = planDoc(to.sketch);
      const writes = restoreWrites(doc, from.content);
      transact(doc, STORAGE, () => {
        for (const w of writes) writeEntry(doc, w, w.value);
        // The layer version is the server's to write, in the same change.
        writeUnitsVersion(doc, from.content.unitsVersion);
      });
      const refs = {
        accounts: from.content.accountsVersion,
        competitors: from.content.competitorsVersion,
        units: from.content.unitsVersion,
      };
      expect(contentOf(doc, refs)).toEqual(from.content);
      expect(restoreWrites(doc, from.content)).toEqual([]);
    });
  }
});

describe("scoring a golden pair incrementally", () => {
  const inputs = fs.readdirSync(path.join(FIXTURES, "in")).filter((f) => f.endsWith(".geojson"));
  for (const file of inputs) {
    it(`${file}: "to" scored after "from" on one scorer equals "to" scored afresh, and back`, () => {
      const b = build(JSON.parse(fs.readFileSync(path.join(FIXTURES, "in", file), "utf8")) as Pair);
      const from = b.side("from");
      const to = b.side("to");
      if (from.accounts.size !== to.accounts.size) return;
      const data = { accounts: to.accounts, competitors: null, layer: b.layer };
      const scorer = new VersionScorer(data);
      const first = scorer.score(from.content);
      const moved = Array.from(first.analysis.accountTerritory, (_, i) => first.territoryOf(i));
      const fresh = analyzeVersion(to.content, data).analysis;
      expect(JSON.parse(JSON.stringify(scorer.score(to.content).analysis, round))).toEqual(
        JSON.parse(JSON.stringify(fresh, round)),
      );
      // And back: "from" again equals "from" afresh (a scorer keeps a drawn plan's and a unit plan's analyzer apart).
      expect(JSON.parse(JSON.stringify(scorer.score(from.content).analysis, round))).toEqual(
        JSON.parse(JSON.stringify(analyzeVersion(from.content, data).analysis, round)),
      );
      // The first result still says where each account was.
      expect(Array.from(first.analysis.accountTerritory, (_, i) => first.territoryOf(i))).toEqual(moved);
    });
  }
});
