import type * as Y from "yjs";
import { PLAN_KEYS, planMap, readCompetitorsVersion } from "../../shared/doc/schema.ts";
import { accountsFromAnswer, NO_ACCOUNTS, type PlanAccounts } from "../analysis/accounts.ts";
import { getCompetitors } from "../lib/api.ts";

/**
 * The plan's competitors in the browser (issue 12): fetched as columns once
 * per competitors version (the document says when an import changed them),
 * drawn on the map with their own symbol, shown or hidden by the person.
 */
export class CompetitorsState {
  points = $state.raw<PlanAccounts>(NO_ACCOUNTS);
  /** Whether the map shows them (this browser's choice). */
  show = $state(true);
  error = $state<string | null>(null);
  #version = 0;
  #abort: AbortController | null = null;
  #unbind: (() => void) | null = null;

  constructor(
    private readonly planId: string,
    private readonly token: string | null,
  ) {}

  bind(doc: Y.Doc): void {
    this.#unbind?.();
    const plan = planMap(doc);
    const read = () => void this.#load(readCompetitorsVersion(doc));
    const onPlan = (e: Y.YMapEvent<unknown>) => {
      if (e.keysChanged.has(PLAN_KEYS.competitorsVersion)) read();
    };
    plan.observe(onPlan);
    read();
    this.#unbind = () => plan.unobserve(onPlan);
  }

  async #load(version: number): Promise<void> {
    if (version === this.#version) return;
    this.#version = version;
    this.#abort?.abort();
    if (version === 0) {
      this.points = NO_ACCOUNTS;
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const body = await getCompetitors(this.planId, this.token, abort.signal);
      if (abort.signal.aborted) return;
      this.points = accountsFromAnswer(body);
      this.error = null;
    } catch (e) {
      if (abort.signal.aborted) return;
      // Tried again on the next version change.
      this.#version = 0;
      this.error = (e as Error).message;
    }
  }

  destroy(): void {
    this.#unbind?.();
    this.#abort?.abort();
  }
}
