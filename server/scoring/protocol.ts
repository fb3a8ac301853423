import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { AccountColumns } from "../../shared/scoring/accounts.ts";
import type { Analysis, AnalysisSettings } from "../../shared/scoring/types.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";

/**
 * A territory as the worker needs it; geometry in the document's binary
 * form (copies as one block), null in a unit plan (its units are its shape).
 */
export interface WorkerTerritory {
  id: string;
  name: string;
  targets: Record<string, number>;
  geometry: Uint8Array | null;
}

/** A unit plan's layer and which unit is whose (unit index → territory id). */
export interface WorkerUnits {
  layer: UnitLayerJson;
  assignment: [number, string][];
}

/** Main thread → scoring worker. */
export type ToWorker =
  | {
      type: "load";
      planId: string;
      accounts: AccountColumns;
      settings: AnalysisSettings;
      territories: WorkerTerritory[];
      pins: [string, string][];
      /** A unit plan: its layer and assignment (the analysis is then a UnitAnalyzer's). */
      units?: WorkerUnits;
      /** Competing outlets, when the plan has some. */
      competitors?: AccountColumns;
      seq: number;
    }
  | {
      type: "update";
      planId: string;
      set: WorkerTerritory[];
      remove: string[];
      pins?: [string, string][];
      settings?: AnalysisSettings;
      /** A paint stroke: unit index → territory id (null: none). */
      units?: [number, string | null][];
      seq: number;
    }
  /** The outlines of some territories of a unit plan (the union of their units). */
  | { type: "outlines"; planId: string; requestId: number; ids: string[] }
  | { type: "unload"; planId: string };

/** Scoring worker → main thread. */
export type FromWorker =
  | { type: "analysis"; planId: string; seq: number; analysis: Analysis; ms: number }
  | { type: "error"; planId: string; seq: number; message: string }
  | {
      type: "outlines";
      planId: string;
      requestId: number;
      outlines: Record<string, TerritoryGeometry | null>;
      error?: string;
    };
