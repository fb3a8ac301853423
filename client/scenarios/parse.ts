import type { Author } from "../../shared/comments/comments.ts";
import type { ConflictField, PromoteConflict } from "../../shared/scenarios/promote.ts";
import type { Comparison } from "../../shared/versions/compare.ts";
import { parseComparison } from "../versions/parse.ts";

/**
 * The scenarios API's answers read defensively (issue 14): a field of the
 * wrong type is dropped or defaulted, never trusted into the UI. Pure, so
 * it is tested without a server.
 */

/** What a scenario knows of its origin (`GET /api/plans/:id` → `origin`). */
export interface OriginInfo {
  plan: string;
  /** The origin's name now. */
  name: string;
  /** The version it was made from, when it was. */
  version: string | null;
  versionName: string | null;
  at: string;
  by: Author;
  /** The origin was deleted since. */
  gone: boolean;
}

/** A scenario as its origin lists it. */
export interface ScenarioItem {
  id: string;
  name: string;
  at: string;
  by: Author;
  versionName: string | null;
  summary: string | null;
  promoted: { at: string; by: Author } | null;
}

/** Changes since the fork on one side. */
export interface EditList {
  added: { id: string; name: string }[];
  removed: { id: string; name: string }[];
  changed: { id: string; name: string; fields: string[] }[];
  unitsMoved: number;
  pinsChanged: number;
}

/** A promote's preview (`POST …/promote?dryRun=1`). */
export interface PromotePreview {
  origin: { id: string; name: string };
  conflicts: PromoteConflict[];
  originEdits: EditList;
  scenarioEdits: EditList;
  applied: { created: number; deleted: number; changed: number; units: number; pins: number };
  comparison: Comparison;
}

/** A promote's answer. */
export interface PromoteDone {
  restoreId: string;
  changed: number;
  conflicts: number;
  conflictsTo: "origin" | "scenario";
  origin: { id: string; name: string };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

function count(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;
}

function author(v: unknown): Author {
  const o = isObject(v) ? v : {};
  const role = o.role === "edit" || o.role === "comment" || o.role === "view" ? o.role : "edit";
  return { id: str(o.id), name: str(o.name), role };
}

/** `origin` of `GET /api/plans/:id`; null for a plan that is not a scenario. */
export function parseOrigin(v: unknown): OriginInfo | null {
  if (!isObject(v) || typeof v.plan !== "string" || v.plan === "") return null;
  return {
    plan: v.plan,
    name: str(v.name),
    version: typeof v.version === "string" ? v.version : null,
    versionName: typeof v.versionName === "string" ? v.versionName : null,
    at: str(v.at),
    by: author(v.by),
    gone: v.gone === true,
  };
}

/** `GET /api/plans/:id/scenarios`, newest first. */
export function parseScenarioList(body: unknown): ScenarioItem[] {
  const list = isObject(body) && Array.isArray(body.scenarios) ? body.scenarios : [];
  const out: ScenarioItem[] = [];
  for (const s of list) {
    if (!isObject(s) || typeof s.id !== "string" || s.id === "") continue;
    out.push({
      id: s.id,
      name: str(s.name),
      at: str(s.at),
      by: author(s.by),
      versionName: typeof s.versionName === "string" ? s.versionName : null,
      summary: typeof s.summary === "string" ? s.summary : null,
      promoted: isObject(s.promoted) ? { at: str(s.promoted.at), by: author(s.promoted.by) } : null,
    });
  }
  return out;
}

const CONFLICT_KINDS: readonly PromoteConflict["kind"][] = [
  "edited",
  "deleted-in-origin",
  "deleted-in-scenario",
  "created-in-both",
];
const FIELDS: readonly ConflictField[] = [
  "name",
  "color",
  "reps",
  "targets",
  "parent",
  "geometry",
  "units",
  "pins",
  "deleted",
];

function parseConflicts(v: unknown): PromoteConflict[] {
  if (!Array.isArray(v)) return [];
  const out: PromoteConflict[] = [];
  for (const c of v) {
    if (!isObject(c) || typeof c.id !== "string") continue;
    out.push({
      id: c.id,
      name: str(c.name, c.id),
      kind: CONFLICT_KINDS.includes(c.kind as PromoteConflict["kind"]) ? (c.kind as PromoteConflict["kind"]) : "edited",
      fields: Array.isArray(c.fields) ? c.fields.filter((f): f is ConflictField => FIELDS.includes(f)) : [],
      units: count(c.units),
      pins: count(c.pins),
    });
  }
  return out;
}

function named(v: unknown): { id: string; name: string }[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((t) => ({ id: str(t.id), name: str(t.name, str(t.id)) }));
}

function parseEdits(v: unknown): EditList {
  const o = isObject(v) ? v : {};
  return {
    added: named(o.added),
    removed: named(o.removed),
    changed: Array.isArray(o.changed)
      ? o.changed.filter(isObject).map((t) => ({
          id: str(t.id),
          name: str(t.name, str(t.id)),
          fields: Array.isArray(t.fields) ? t.fields.filter((f): f is string => typeof f === "string") : [],
        }))
      : [],
    unitsMoved: count(o.unitsMoved),
    pinsChanged: count(o.pinsChanged),
  };
}

function origin(v: unknown): { id: string; name: string } {
  const o = isObject(v) ? v : {};
  return { id: str(o.id), name: str(o.name) };
}

/** A promote's preview; null when it does not read as one. */
export function parsePromotePreview(body: unknown): PromotePreview | null {
  if (!isObject(body)) return null;
  const comparison = parseComparison(isObject(body.comparison) ? { from: "", to: "", ...body.comparison } : null);
  if (!comparison) return null;
  const a = isObject(body.applied) ? body.applied : {};
  return {
    origin: origin(body.origin),
    conflicts: parseConflicts(body.conflicts),
    originEdits: parseEdits(body.originEdits),
    scenarioEdits: parseEdits(body.scenarioEdits),
    applied: {
      created: count(a.created),
      deleted: count(a.deleted),
      changed: count(a.changed),
      units: count(a.units),
      pins: count(a.pins),
    },
    comparison,
  };
}

/** A promote's answer; null without its restore id. */
export function parsePromoteDone(body: unknown): PromoteDone | null {
  if (!isObject(body) || typeof body.restoreId !== "string") return null;
  return {
    restoreId: body.restoreId,
    changed: count(body.changed),
    conflicts: Array.isArray(body.conflicts) ? body.conflicts.length : 0,
    conflictsTo: body.conflictsTo === "scenario" ? "scenario" : "origin",
    origin: origin(body.origin),
  };
}
