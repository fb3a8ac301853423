import type { AchievementStatus } from "../../shared/scoring/achievement.ts";
import { LEVEL_COLORS } from "./colors.ts";

/**
 * Colours of target achievement, on the same traffic-light scale as the
 * balance levels so the two tabs read alike: achieved green, on track amber,
 * behind red, no target grey.
 */
export const STATUS_COLORS: Record<AchievementStatus, string> = {
  achieved: LEVEL_COLORS.ok,
  "on-track": LEVEL_COLORS.warning,
  behind: LEVEL_COLORS.error,
  "no-target": "#9ca3af",
};

/** A lighter background for a status badge. */
export const STATUS_BACKGROUNDS: Record<AchievementStatus, string> = {
  achieved: "#dcfce7",
  "on-track": "#fef3c7",
  behind: "#fee2e2",
  "no-target": "#f3f4f6",
};
