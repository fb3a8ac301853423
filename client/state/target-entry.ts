import type { NumberReading } from "../i18n/numbers.ts";

/**
 * What a target typed in the territory panel does next, decided from its
 * reading (client/i18n/numbers.ts) and the territory's actual value. Pure,
 * so the rules are tested without a DOM:
 *
 * - empty or 0 clears the target (achievement counts 0 as "no target");
 * - an ambiguous number (`60.000`) is saved only once the person has
 *   chosen a reading: Enter, or a click on one of the two readings shown
 *   beside the field; leaving the field saves nothing (issue 10: never save
 *   silently);
 * - a target more than {@link SCALE_LIMIT}× above or below the territory's
 *   actual value asks for confirmation first (a typo such as `60.000` read
 *   as 60 showed "55,470% Achieved" on the wall).
 */
export type TargetStep =
  | { step: "clear" }
  | { step: "invalid" }
  | { step: "choose" }
  | { step: "confirm"; value: number; factor: number }
  | { step: "save"; value: number };

/** How far off a target may be from the actual value before it is questioned. */
export const SCALE_LIMIT = 100;

/**
 * target ÷ actual when that is beyond {@link SCALE_LIMIT}× either way, else
 * null (also null without an actual value to compare with).
 *
 * @example outOfScale(60, 3_328_200) // 0.0000180…
 * @example outOfScale(1_000_000, 1_250_000) // null
 */
export function outOfScale(target: number, actual: number | null | undefined): number | null {
  if (actual === null || actual === undefined || !(actual > 0) || !(target > 0)) return null;
  const factor = target / actual;
  return factor > SCALE_LIMIT || factor < 1 / SCALE_LIMIT ? factor : null;
}

/**
 * @param chosen the person said which reading they mean (Enter, or a click on a reading)
 * @param confirmed the person confirmed an out-of-scale target
 */
export function targetStep(
  reading: NumberReading,
  actual: number | null | undefined,
  { chosen, confirmed }: { chosen: boolean; confirmed: boolean },
): TargetStep {
  if (reading.kind === "empty") return { step: "clear" };
  if (reading.kind === "invalid" || reading.value < 0) return { step: "invalid" };
  if (reading.value === 0) return { step: "clear" };
  if (reading.kind === "ambiguous" && !chosen) return { step: "choose" };
  const factor = outOfScale(reading.value, actual);
  if (factor !== null && !confirmed) return { step: "confirm", value: reading.value, factor };
  return { step: "save", value: reading.value };
}
