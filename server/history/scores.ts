import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import type { PlanStore, ScorePoint } from "../persistence/store.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room } from "../rooms/room.ts";
import type { Scoring } from "../scoring/scoring.ts";
import { logger } from "../ops/log.ts";

const historyLog = logger("history");

/** At most one score a plan is written per this many ms; the last of a burst wins. */
export const SCORE_EVERY_MS = 2_000;

/**
 * Records the plan's balance score over time for the replay's score curve
 * (issue 14): the scoring already computes it after every change, so keeping
 * it costs one small append when it changed, at most every couple of
 * seconds; never another analysis. A point lost to a crash only smooths the
 * curve; the updates themselves are in the update log.
 */
export class ScoreTrail implements RoomExtension {
  readonly name = "score-trail";
  private readonly plans = new Map<string, PlanTrail>();

  constructor(
    private readonly store: PlanStore,
    private readonly scoring: Scoring,
  ) {}

  onLoad(room: Room): void {
    if (room.address.part !== "") return;
    const planId = room.address.planId;
    const trail = new PlanTrail(planId, this.store);
    this.plans.set(planId, trail);
    this.scoring.get(planId)?.analysisListeners.add(trail.onAnalysis);
  }

  async onClose(room: Room): Promise<void> {
    const planId = room.address.planId;
    const trail = this.plans.get(planId);
    if (!trail || room.address.part !== "") return;
    this.plans.delete(planId);
    this.scoring.get(planId)?.analysisListeners.delete(trail.onAnalysis);
    await trail.flush();
  }
}

class PlanTrail {
  private last: number | null | undefined = undefined;
  private pending: ScorePoint | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private lastWrite = 0;

  constructor(
    private readonly planId: string,
    private readonly store: PlanStore,
  ) {}

  readonly onAnalysis = (a: AnalysisMessage): void => {
    const score = a.balance.score === null ? null : Math.round(a.balance.score * 10) / 10;
    if (score === this.last && this.pending === null) return;
    this.last = score;
    this.pending = { at: Date.now(), score };
    const wait = this.lastWrite + SCORE_EVERY_MS - Date.now();
    if (wait <= 0) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), wait);
  };

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const point = this.pending;
    this.pending = null;
    if (!point) return this.writing;
    this.lastWrite = Date.now();
    this.writing = this.writing
      .then(() => this.store.appendScores(this.planId, [point]))
      .catch((e: Error) => historyLog.error({ planId: this.planId }, `a score was not kept: ${e.message}`));
    return this.writing;
  }
}
