import type * as Y from "yjs";
import { PLAN_KEYS, planMap, readCompetitorsVersion, readUnitsVersion } from "../../shared/doc/schema.ts";

/**
 * The plan's reference-data versions as `$state`, followed live from the
 * document: the unit layer's (0: a drawn plan) and the competitors' (0:
 * none imported). The Data menu's dialogs read them to know what the plan
 * holds while they are open, whoever changes it.
 */
export class PlanVersions {
  units = $state(0);
  competitors = $state(0);

  /** Follows `doc`; returns the function that stops following it. */
  follow(doc: Y.Doc): () => void {
    const read = () => {
      this.units = readUnitsVersion(doc);
      this.competitors = readCompetitorsVersion(doc);
    };
    const onPlan = (e: Y.YMapEvent<unknown>) => {
      if (e.keysChanged.has(PLAN_KEYS.unitsVersion) || e.keysChanged.has(PLAN_KEYS.competitorsVersion)) read();
    };
    const plan = planMap(doc);
    plan.observe(onPlan);
    read();
    return () => plan.unobserve(onPlan);
  }
}
