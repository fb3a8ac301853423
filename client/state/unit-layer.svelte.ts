/**
 * The Units dialog's state (issue 12): hexagons over the territories (a
 * size → the server's dry run and the browser's count of accounts left
 * without a territory → make them), admin areas from a GeoJSON file (the
 * file → the server's dry run, problem features listed → import), and
 * removing the layer (asked twice). Each call is one server request; the
 * server builds layers in its jobs worker and answers when done.
 */

import { ApiError, makeHexagons, removeUnits } from "../lib/api.ts";
import { unitsUrl } from "../lib/data-urls.ts";
import type { UploadAnswer } from "../lib/upload.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { accepted, failureOf, type ImportFailure, ImportFlow } from "./import.svelte.ts";
import {
  type AreasPreview,
  type HexResolution,
  isNotAreasFile,
  readAreasPreview,
  readUnitsResult,
  type UnitsResult,
} from "./unit-layer.ts";

/** What a refused API call becomes in the dialog: the server's sentence, or ours when it never answered. */
function apiFailure(e: unknown): ImportFailure {
  if (e instanceof ApiError) {
    if (e.status === 0) return { code: "network" };
    if (e.status === 413) return { code: "tooLarge" };
    return { server: e.message };
  }
  return { code: "unexpected" };
}

/** What the browser knows for the accounts count: positions, and the territories' drawn shapes. */
export interface EstimateInput {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  territories: { id: string; geometry: TerritoryGeometry }[];
}

export type HexPhase = "choose" | "checking" | "preview" | "making" | "done";

export class HexagonsFlow {
  resolution = $state<HexResolution | null>(null);
  phase = $state<HexPhase>("choose");
  /** Hexagons the chosen size makes (the server's dry run). */
  count = $state<number | null>(null);
  /** Accounts inside no territory now, and after the conversion (null until worked out, or when it failed). */
  accounts = $state<{ now: number; after: number } | null>(null);
  failure = $state<ImportFailure | null>(null);
  result = $state<UnitsResult | null>(null);
  #request = 0;

  constructor(
    readonly planId: string,
    readonly token: string | null,
    private readonly input: () => EstimateInput,
  ) {}

  get canConfirm(): boolean {
    return this.phase === "preview" && this.count !== null && this.count > 0 && this.resolution !== null;
  }

  /** Picks a size and asks the server how many hexagons it makes. */
  async choose(resolution: HexResolution): Promise<void> {
    if (this.phase === "making") return;
    this.reset();
    this.resolution = resolution;
    this.phase = "checking";
    const request = this.#request;
    const estimate = this.#estimate(resolution);
    try {
      const answer = (await makeHexagons(this.planId, this.token, resolution, true)) as { count?: unknown } | null;
      if (request !== this.#request) return;
      this.count = typeof answer?.count === "number" ? answer.count : 0;
    } catch (e) {
      if (request !== this.#request) return;
      this.failure = apiFailure(e);
      this.phase = "choose";
      return;
    }
    const accounts = await estimate;
    if (request !== this.#request) return;
    this.accounts = accounts;
    this.phase = "preview";
  }

  /** Accounts without a territory now and after: in the browser, h3-js loaded on first use. */
  async #estimate(resolution: HexResolution): Promise<{ now: number; after: number } | null> {
    try {
      const { accountsWithoutTerritory } = await import("./hexagon-estimate.ts");
      const { lon, lat, territories } = this.input();
      return {
        now: accountsWithoutTerritory(lon, lat, territories, null),
        after: accountsWithoutTerritory(lon, lat, territories, resolution),
      };
    } catch (e) {
      console.warn("[units] the accounts estimate failed", e);
      return null;
    }
  }

  /** Makes the hexagons: the plan becomes a unit plan, for everyone. */
  async confirm(): Promise<void> {
    if (!this.canConfirm || this.resolution === null) return;
    const request = ++this.#request;
    this.phase = "making";
    this.failure = null;
    try {
      const answer = await makeHexagons(this.planId, this.token, this.resolution, false);
      if (request !== this.#request) return;
      this.result = readUnitsResult(answer) ?? { kind: "h3", count: this.count ?? 0, assigned: 0, unassigned: 0 };
      this.phase = "done";
    } catch (e) {
      if (request !== this.#request) return;
      this.failure = apiFailure(e);
      this.phase = "preview";
    }
  }

  /** Back to choosing a size (what is on its way is ignored). */
  reset(): void {
    this.#request++;
    this.resolution = null;
    this.phase = "choose";
    this.count = null;
    this.accounts = null;
    this.failure = null;
    this.result = null;
  }
}

/**
 * Admin areas from a GeoJSON file: the accounts import's file flow (upload
 * progress, a dry run, the confirmed import), with the units call's preview.
 */
export class AreasImport extends ImportFlow<AreasPreview, UnitsResult> {
  constructor(planId: string, token: string | null) {
    super(planId, token, "application/json");
  }

  /** Some areas to make units of; problem features only when skipped. */
  get canConfirm(): boolean {
    const p = this.preview;
    if (this.phase !== "preview" || !p || p.count === 0) return false;
    return p.problemCount === 0 || this.skipInvalid;
  }

  /** A refusal in words: a file that is not a FeatureCollection of areas is said in ours, the rest in the server's. */
  #failure(answer: UploadAnswer): ImportFailure {
    return isNotAreasFile(answer.status, answer.error) ? { code: "notAreas" } : failureOf(answer);
  }

  async check(): Promise<void> {
    const answer = await this.sendCheck(unitsUrl(this.planId, { dryRun: true }));
    if (!answer) return;
    const ok = accepted(answer);
    const preview = ok ? readAreasPreview(answer.body) : null;
    if (!ok || !preview) {
      this.failure = this.#failure(answer);
      this.preview = null;
      this.phase = "failed";
      return;
    }
    this.failure = null;
    this.preview = preview;
    this.phase = "preview";
  }

  async confirm(): Promise<void> {
    if (!this.canConfirm) return;
    const answer = await this.sendImport(unitsUrl(this.planId, { dryRun: false, skipInvalid: this.skipInvalid }));
    if (!answer) return;
    if (accepted(answer)) {
      this.result = readUnitsResult(answer.body) ?? {
        kind: "admin",
        count: this.preview?.count ?? 0,
        assigned: 0,
        unassigned: 0,
      };
      this.phase = "done";
      return;
    }
    // Refused: nothing changed; the preview stays (a 400 about problem features carries the same summary).
    const again = readAreasPreview(answer.body);
    if (again) this.preview = again;
    this.failure = this.#failure(answer);
    this.phase = "preview";
  }
}

/** Removing the unit layer: asked first, then one call; every territory keeps its units' outline. */
export class RemoveUnitsFlow {
  phase = $state<"idle" | "asking" | "removing" | "done">("idle");
  failure = $state<ImportFailure | null>(null);
  /** Territories kept as drawn territories. */
  kept = $state<number | null>(null);

  constructor(
    readonly planId: string,
    readonly token: string | null,
  ) {}

  ask(): void {
    if (this.phase === "idle") {
      this.failure = null;
      this.phase = "asking";
    }
  }

  cancel(): void {
    if (this.phase === "asking") this.phase = "idle";
  }

  async confirm(): Promise<void> {
    if (this.phase !== "asking") return;
    this.phase = "removing";
    this.failure = null;
    try {
      const answer = await removeUnits(this.planId, this.token);
      this.kept = typeof answer?.territories === "number" ? answer.territories : 0;
      this.phase = "done";
    } catch (e) {
      this.failure = apiFailure(e);
      this.phase = "idle";
    }
  }

  reset(): void {
    if (this.phase === "removing") return;
    this.phase = "idle";
    this.failure = null;
    this.kept = null;
  }
}
