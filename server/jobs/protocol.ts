import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { AdminProblem } from "../../shared/units/admin.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import type { DemoTemplate } from "../demo/seed.ts";
import type { VersionSide, VersionView } from "../versions/jobs.ts";

/**
 * Heavy work a request can start (building a unit layer, optimising a
 * plan): done in the jobs worker thread, never on the event loop that
 * relays sync. Each kind has an input and an output; a job may report
 * progress (0–1) while it runs.
 */
export interface JobTypes {
  /** H3 cells over `areas` at `resolution`, sea left out (Natural Earth land) unless a kept point is in the cell. */
  "h3-layer": {
    input: {
      areas: TerritoryGeometry[];
      resolution: number;
      /** Points that keep their cell (accounts, competitors): lon, lat interleaved. */
      keep: Float64Array;
      version: number;
      /** Only count the cells, for a dry run. */
      dryRun: boolean;
    };
    output: { count: number; layer: UnitLayerJson | null };
  };
  /** Admin areas from a GeoJSON file's text. */
  "admin-layer": {
    input: { text: string; version: number; dryRun: boolean };
    output: {
      total: number;
      count: number;
      problems: AdminProblem[];
      problemCount: number;
      attributes: string[];
      idKey: string | null;
      nameKey: string | null;
      layer: UnitLayerJson | null;
    };
  };
  /** The demo plan every visitor's copy starts from (server/demo/seed.ts). */
  demo: { input: Record<string, never>; output: DemoTemplate };
  /** A version opened (issue 14): its territories' shapes and its analysis, scored as the live plan is. */
  "version-view": { input: VersionSide; output: VersionView };
  /** Two versions (or one and the plan now) compared. */
  "version-compare": { input: { from: VersionSide; to: VersionSide }; output: string };
  /** A new scenario's first document (issue 14): a version content's JSON written into a fresh plan under its name. */
  "scenario-fork": { input: { content: string; name: string }; output: Uint8Array };
}

export type JobKind = keyof JobTypes;

/** Main thread → jobs worker. */
export interface JobRequest<K extends JobKind = JobKind> {
  id: number;
  kind: K;
  input: JobTypes[K]["input"];
}

/** Jobs worker → main thread. */
export type JobReply =
  | { id: number; type: "progress"; progress: number }
  | { id: number; type: "done"; output: unknown }
  | { id: number; type: "failed"; message: string; userError: boolean };
