import * as Y from "yjs";
import { STORAGE, transact } from "../doc/origins.ts";
import {
  writeAllowedDeviation,
  writePin,
  writePlanName,
  writeTerritory,
  writeUnitAssignments,
  writeUnitsVersion,
  writeUnitTerritory,
} from "../doc/schema.ts";
import type { Rep } from "../doc/territory.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { unitKey } from "../units/layer.ts";

/** A plan as tests of versions describe it: territories, and for a unit plan which units each has. */
export interface PlanSketch {
  name?: string;
  allowedDeviation?: number | null;
  territories: {
    id: string;
    name: string;
    color?: string;
    reps?: Rep[];
    targets?: Record<string, number>;
    parent?: string | null;
    /** A drawn plan's shape (left out in a unit plan). */
    geometry?: TerritoryGeometry;
  }[];
  /** A unit plan: its layer version and each territory's unit indexes. */
  unitsVersion?: number;
  units?: Record<string, number[]>;
  pins?: Record<string, string>;
}

/**
 * A plan document built from a sketch, as the server would hold it (for
 * tests of contents, comparisons and restores).
 *
 * @example planDoc({ territories: [{ id: "a", name: "A", geometry: box(0, 0, 1, 1) }] })
 */
export function planDoc(sketch: PlanSketch): Y.Doc {
  const doc = new Y.Doc();
  const unitPlan = (sketch.unitsVersion ?? 0) > 0;
  transact(doc, STORAGE, () => {
    if (sketch.name) writePlanName(doc, sketch.name);
    if (typeof sketch.allowedDeviation === "number") writeAllowedDeviation(doc, sketch.allowedDeviation);
    sketch.territories.forEach((t, i) => {
      const props = {
        id: t.id,
        name: t.name,
        color: t.color ?? PALETTE[i % PALETTE.length] ?? "#1b9e77",
        reps: t.reps ?? [],
        targets: t.targets ?? {},
        parent: t.parent ?? null,
      };
      if (unitPlan || !t.geometry) writeUnitTerritory(doc, props);
      else writeTerritory(doc, { ...props, geometry: t.geometry });
    });
    if (unitPlan) {
      writeUnitsVersion(doc, sketch.unitsVersion as number);
      writeUnitAssignments(
        doc,
        Object.entries(sketch.units ?? {}).flatMap(([id, list]) => list.map((u) => [unitKey(u), id] as const)),
      );
    }
    for (const [account, id] of Object.entries(sketch.pins ?? {})) writePin(doc, account, id);
  });
  return doc;
}

const PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];
