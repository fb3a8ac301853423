import type { AccountColumns } from "../../shared/scoring/accounts.ts";
import type { Analysis, AnalysisSettings } from "../../shared/scoring/types.ts";

/** A territory as the worker needs it; geometry in the document's binary form (copies as one block). */
export interface WorkerTerritory {
  id: string;
  name: string;
  targets: Record<string, number>;
  geometry: Uint8Array;
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
      seq: number;
    }
  | {
      type: "update";
      planId: string;
      set: WorkerTerritory[];
      remove: string[];
      pins?: [string, string][];
      settings?: AnalysisSettings;
      seq: number;
    }
  | { type: "unload"; planId: string };

/** Scoring worker → main thread. */
export type FromWorker =
  | { type: "analysis"; planId: string; seq: number; analysis: Analysis; ms: number }
  | { type: "error"; planId: string; seq: number; message: string };
