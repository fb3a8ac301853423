import type { Balance, DeviationLevel } from "../../shared/scoring/types.ts";
import { mix } from "../lib/color.ts";

/**
 * Colours of the scores: deviation levels, the plan score, the choropleth's
 * diverging palette, and each account's point. Pure, so the panels, the map
 * and the tests agree on them; the hex arithmetic is lib/color.ts.
 */

/** Within the allowed deviation, beyond it, beyond twice it. */
export const LEVEL_COLORS: Record<DeviationLevel, string> = {
  ok: "#16a34a",
  warning: "#d97706",
  error: "#dc2626",
};

/**
 * The plan score's level, on the same scale as a territory's. The score is
 * 100 / (1 + RMS deviation) (shared/scoring/README.md), so a plan whose
 * every territory sits exactly at the allowed deviation a scores
 * 100 / (1 + a): at or above that is `ok`, down to 100 / (1 + 2a)
 * `warning`, below that `error`.
 *
 * @example scoreLevel(90, 0.15) // "ok" (≥ 87); scoreLevel(80, 0.15) // "warning" (≥ 76.9)
 */
export function scoreLevel(score: number, allowed: number): DeviationLevel {
  if (score >= 100 / (1 + allowed) - 1e-9) return "ok";
  if (score >= 100 / (1 + 2 * allowed) - 1e-9) return "warning";
  return "error";
}

/** What the plan's score says in words: its level, or why it cannot say "Balanced". */
export type Verdict = "ok" | "warning" | "error" | "incomplete" | "empty";

/**
 * The plan's verdict: nothing to score without territories; never
 * "Balanced" while accounts lie outside every territory (issue 10), only
 * "incomplete", shown in the warning colour.
 *
 * @example planVerdict({ score: 95, empty: false, complete: false, allowedDeviation: 0.15 }) // "incomplete"
 */
export function planVerdict(b: Pick<Balance, "score" | "empty" | "complete" | "allowedDeviation">): Verdict {
  if (b.empty || b.score === null) return "empty";
  const level = scoreLevel(b.score, b.allowedDeviation);
  if (level === "ok" && b.complete === false) return "incomplete";
  return level;
}

/** The colour of a verdict. */
export function verdictColor(v: Verdict): string {
  if (v === "empty") return "#6b7280";
  return LEVEL_COLORS[v === "incomplete" ? "warning" : v];
}

/** Level of one deviation (the server's rule; for metrics it does not score, such as area). */
export function deviationLevel(deviation: number, allowed: number): DeviationLevel {
  const d = Math.abs(deviation);
  if (d <= allowed + 1e-12) return "ok";
  if (d <= 2 * allowed + 1e-12) return "warning";
  return "error";
}

/**
 * ColorBrewer RdBu (9 classes, Cynthia Brewer, colorbrewer2.org), blue for
 * below the reference, red above, near white at it: the diverging palette a
 * reader takes for "too little / fine / too much" without a legend.
 */
export const DIVERGING = [
  "#2166ac",
  "#4393c3",
  "#92c5de",
  "#d1e5f0",
  "#f7f7f7",
  "#fddbc7",
  "#f4a582",
  "#d6604d",
  "#b2182b",
] as const;

/** Neutral fill of a territory with no deviation (yet): not scored, or the analysis has not reached it. */
export const NO_DATA_COLOR = "#d1d5db";

/**
 * The choropleth colour of a deviation, clamped at ±2× the allowed one
 * (beyond that every territory is equally "far off"): at the allowed
 * deviation the colour is the palette's third step from the middle, light
 * enough to read as "acceptable".
 *
 * @example deviationColor(0, 0.15) // "#f7f7f7"; deviationColor(-1, 0.15) // "#2166ac"
 */
export function deviationColor(deviation: number, allowed: number): string {
  if (!Number.isFinite(deviation)) return NO_DATA_COLOR;
  const span = 2 * (allowed > 0 ? allowed : 0.15);
  const t = Math.max(-1, Math.min(1, deviation / span));
  // t ∈ [-1, 1] → position along the 9 stops.
  const pos = ((t + 1) / 2) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(pos));
  return mix(DIVERGING[i] as string, DIVERGING[i + 1] as string, pos - i);
}

/**
 * An account point's state: coloured by its territory, in none, in several,
 * not matched with an analysis yet, or pinned to its territory by hand
 * (drawn in that territory's colour with a dark ring, so a pin that overrides
 * the map is seen on it).
 */
export const AccountState = { assigned: 0, unassigned: 1, conflict: 2, pending: 3, pinned: 4 } as const;
export type AccountState = (typeof AccountState)[keyof typeof AccountState];

export const ACCOUNT_COLORS = {
  /** Unassigned: dark, with an amber ring on the map (nobody covers them). */
  unassigned: "#1f2937",
  /** Counted in two or more territories: red, with a white ring. */
  conflict: "#dc2626",
  /** Not yet matched with an analysis (accounts and analysis of different versions). */
  pending: "#9ca3af",
} as const;

/**
 * Each account's colour and state from the analysis's `accountTerritory`
 * (index in `territories`, -1 none, -2 several) and the colour of each of
 * those territories. With no assignment (or one for other accounts, when the
 * lengths differ) every account is `pending`. Accounts marked in `pinned`
 * that the analysis counts in a territory are `pinned`.
 *
 * @example accountColors(Int32Array.of(0, -1, -2), ["#1b9e77"]).colors // ["#1b9e77", "#1f2937", "#dc2626"]
 */
export function accountColors(
  assignment: ArrayLike<number> | null,
  territoryColors: readonly (string | null | undefined)[],
  count = assignment?.length ?? 0,
  pinned: Uint8Array | null = null,
): { colors: string[]; states: Uint8Array } {
  const colors = new Array<string>(count);
  const states = new Uint8Array(count);
  const usable = assignment !== null && assignment.length === count;
  for (let i = 0; i < count; i++) {
    const t = usable ? (assignment[i] as number) : -3;
    if (t >= 0) {
      const color = territoryColors[t];
      if (color) {
        colors[i] = color;
        states[i] = pinned?.[i] ? AccountState.pinned : AccountState.assigned;
      } else {
        colors[i] = ACCOUNT_COLORS.pending;
        states[i] = AccountState.pending;
      }
    } else if (t === -1) {
      colors[i] = ACCOUNT_COLORS.unassigned;
      states[i] = AccountState.unassigned;
    } else if (t === -2) {
      colors[i] = ACCOUNT_COLORS.conflict;
      states[i] = AccountState.conflict;
    } else {
      colors[i] = ACCOUNT_COLORS.pending;
      states[i] = AccountState.pending;
    }
  }
  return { colors, states };
}

/**
 * Which accounts (in `ids` order) are held in their territory by a pin: the
 * pin names the territory the analysis counts them in. A pin to a territory
 * that no longer exists holds nothing (the server falls back to containment).
 *
 * @example pinnedMask(new Map([["a2", "t1"]]), ["a1", "a2"], Int32Array.of(0, 0), ["t1"]) // Uint8Array [0, 1]
 */
export function pinnedMask(
  pins: ReadonlyMap<string, string>,
  ids: readonly string[],
  assignment: ArrayLike<number> | null,
  assignmentIds: readonly string[],
): Uint8Array {
  const mask = new Uint8Array(ids.length);
  if (pins.size === 0 || !assignment || assignment.length !== ids.length) return mask;
  for (let i = 0; i < ids.length; i++) {
    const pin = pins.get(ids[i] as string);
    if (pin === undefined) continue;
    const t = assignment[i] as number;
    if (t >= 0 && assignmentIds[t] === pin) mask[i] = 1;
  }
  return mask;
}
