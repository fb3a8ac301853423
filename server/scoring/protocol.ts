import type { PlanBalanceInput } from "../../shared/balance/plan.ts";
import type { ProposalSide } from "../../shared/balance/proposal.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { AccountColumns } from "../../shared/scoring/accounts.ts";
import type { Analysis, AnalysisSettings } from "../../shared/scoring/types.ts";
import type { SuggestionEffect } from "../../shared/suggestions/effect.ts";
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
  /**
   * Auto-balance's input (issue 13): the unit plan's territories, who holds
   * each unit, the units' adjacency and each unit's amounts of `metrics`
   * (unknown names come back in `known` instead), with the plan as it is now.
   */
  | { type: "balance-input"; planId: string; requestId: number; metrics: string[] }
  /**
   * The score and metrics the plan would have with these moves (unit, from,
   * to); a move whose unit is no longer `from`'s is left out and reported.
   */
  | {
      type: "what-if";
      planId: string;
      requestId: number;
      moves: [number, string | null, string][];
      metrics: string[];
    }
  /**
   * A suggestion's effect (issue 15): the analysis now and with the change
   * applied as accepting applies it (a drawn territory's new shape, or unit
   * moves), the analyzers left as they were.
   */
  | {
      type: "suggestion-effect";
      planId: string;
      requestId: number;
      /** Drawn plans: the territory as the worker holds it, and its proposed shape (codec bytes). */
      shape?: { territory: WorkerTerritory; geometry: Uint8Array };
      /** Unit plans: unit index → territory id (null: none), and the territories the suggestion names. */
      units?: { moves: [number, string | null][]; focus: string[] };
    }
  | { type: "unload"; planId: string }
  /** Are you alive? (`GET /api/ready`): answered with a pong in turn, after what is queued before it. */
  | { type: "ping"; requestId: number };

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
    }
  | {
      type: "balance-input";
      planId: string;
      requestId: number;
      /** The metrics a proposal may balance. */
      known: string[];
      /** Null when a metric asked for is not known. */
      input: PlanBalanceInput | null;
      /** The plan now: its score and each territory's value of each metric asked for. */
      before: ProposalSide | null;
      error?: string;
    }
  | {
      type: "what-if";
      planId: string;
      requestId: number;
      side: ProposalSide | null;
      /** Units (indices) left out because their territory is no longer the move's `from`. */
      stale: number[];
      error?: string;
    }
  | { type: "suggestion-effect"; planId: string; requestId: number; effect: SuggestionEffect | null; error?: string }
  | { type: "pong"; requestId: number };
