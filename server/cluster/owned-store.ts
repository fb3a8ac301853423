import type { PlanStore, StoredDocument } from "../persistence/store.ts";
import type { Cluster } from "./cluster.ts";

/**
 * The store as seen by an instance of several (issue 16): a plan is written
 * only by its owner. Before a write (or a room's load) of a plan this
 * instance does not own, it takes the plan when nobody owns it, or refuses
 * with {@link NotOwnerError} when another instance does (the call should
 * have been forwarded there); a plan it creates is its own at once. A write
 * the database refused for its fencing number (another instance took the
 * plan over) tells the cluster, which gives the plan up here.
 */
export class NotOwnerError extends Error {
  constructor(readonly planId: string) {
    super("Another server instance serves this plan now; try again in a moment.");
    this.name = "NotOwnerError";
  }
}

/** Methods that write a plan (or load it for writing), with the position of the plan id among their arguments. */
const WRITES: Partial<Record<keyof PlanStore, number>> = {
  updatePlan: 0,
  deletePlan: 0,
  openDocument: 0,
  putAccounts: 0,
  putData: 0,
  putVersion: 0,
  deleteVersions: 0,
  keepData: 0,
  dropKeptData: 0,
  shareData: 1,
  appendScores: 0,
  putActivity: 0,
};

const isFenced = (e: unknown): boolean => e instanceof Error && e.name === "FencedError";

export function ownedStore(store: PlanStore, cluster: Cluster): PlanStore {
  const ensure = async (planId: string): Promise<void> => {
    const route = await cluster.route(planId, true);
    if (route.kind !== "local") throw new NotOwnerError(planId);
  };
  const reportFence = (planId: string) => (e: unknown) => {
    if (isFenced(e)) cluster.fenced(planId);
    throw e;
  };
  const watchDocument = (planId: string, doc: StoredDocument): StoredDocument => ({
    get updates() {
      return doc.updates;
    },
    get logBytes() {
      return doc.logBytes;
    },
    append: (update, meta) => doc.append(update, meta).catch(reportFence(planId)),
    compact: (state) => doc.compact(state).catch(reportFence(planId)),
    close: () => doc.close(),
  });
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      if (name === "createPlan") {
        return async (...args: Parameters<PlanStore["createPlan"]>) => {
          await target.createPlan(...args);
          await cluster.claim(args[0].id);
        };
      }
      const at = WRITES[name as keyof PlanStore];
      if (at === undefined) return value.bind(target);
      return async (...args: unknown[]) => {
        const planId = args[at] as string;
        await ensure(planId);
        const result = await (value as (...a: unknown[]) => Promise<unknown>)
          .apply(target, args)
          .catch(reportFence(planId));
        return name === "openDocument" ? watchDocument(planId, result as StoredDocument) : result;
      };
    },
  });
}
