import type http from "node:http";
import { MAX_ACCOUNTS } from "../shared/accounts/import.ts";
import { reconcileAccountsVersion } from "./api/accounts.ts";
import { apiRouter } from "./api/routes.ts";
import { sendError } from "./api/http.ts";
import type { ServerConfig } from "./config.ts";
import { LowdbStore } from "./persistence/lowdb-store.ts";
import type { PlanStore } from "./persistence/store.ts";
import type { Room } from "./rooms/room.ts";
import type { RoomAddress } from "../shared/protocol/rooms.ts";
import { Rooms } from "./rooms/rooms.ts";
import { Jobs } from "./jobs/jobs.ts";
import { Units } from "./units/units.ts";
import { SyncEndpoint } from "./sync/endpoint.ts";
import { Scoring } from "./scoring/scoring.ts";
import { serveStatic } from "./static.ts";
import { Activity } from "./activity/activity.ts";
import { Proposals } from "./balance/proposals.ts";
import { Suggestions } from "./suggestions/suggestions.ts";
import { BalanceRunner } from "./balance/runner.ts";
import { Versions } from "./versions/versions.ts";
import { Scenarios } from "./scenarios/scenarios.ts";
import { ScoreTrail } from "./history/scores.ts";
import { clientAddress } from "./access/client-address.ts";
import { LinkScopes } from "./access/scopes.ts";
import { PersonKey } from "./access/people.ts";
import { RateLimiter } from "./access/rate-limit.ts";
import { DemoCopies } from "./demo/copies.ts";
import { demoTemplate, retirePublicDemo } from "./demo/seed.ts";
import { createGuardedServer, tooManyConnections } from "./http-server.ts";
import { stallPoint } from "./util/crash-point.ts";

export interface WilayahServer {
  readonly http: http.Server;
  readonly store: PlanStore;
  readonly rooms: Rooms;
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  /**
   * Stops accepting, closes every socket with 1001, compacts and closes
   * every room, then `handOver` (when given), then the workers and the store.
   */
  close(opts?: CloseOptions): Promise<void>;
}

export interface CloseOptions {
  /**
   * Called once every room is compacted and closed, before the store is:
   * where several instances (issue 16) hand the plans this one owned over
   * (release their leases so another instance takes them at once, rather
   * than after they expire). Clients were already told 1001 and reconnect
   * through the load balancer meanwhile.
   */
  handOver?: () => Promise<void>;
}

/** Builds and starts the whole server: REST, sync and static files on one port. */
export async function startServer(
  config: ServerConfig,
  store: PlanStore = new LowdbStore(config.dataDir),
): Promise<WilayahServer> {
  const scoring = new Scoring(store);
  if (config.scoring) scoring.warm();
  const people = await PersonKey.load(config.dataDir, config.personKey);
  const units = new Units(store);
  /** Scoped links' live scopes and the territory boxes their checks read (issue 15). */
  const scopes = new LinkScopes(store, config.scoring ? scoring : null);
  const activity = new Activity(store, config.scoring ? scoring : null, units);
  const jobs = new Jobs();
  const balanceRunner = new BalanceRunner(config.balanceMaxRuns);
  const versions = new Versions({
    store,
    jobs,
    units,
    activity,
    scoring: config.scoring ? scoring : null,
    checkpointEveryMs: config.versionCheckpointMs,
  });
  // Scenarios (issue 14): plans forked from a plan or a version, promoted back into it.
  const scenarios = new Scenarios({
    store,
    rooms: { with: <T>(address: RoomAddress, fn: (room: Room) => Promise<T>): Promise<T> => rooms.with(address, fn) },
    versions,
    jobs,
    activity,
    scoring: config.scoring ? scoring : null,
  });
  const proposals = new Proposals({
    store,
    scoring: config.scoring ? scoring : null,
    units,
    runner: balanceRunner,
    activity,
    // The checkpoint before an accepted proposal (issue 14): restoring it takes the proposal back.
    beforeAccept: (room, actor) => versions.checkpoint(room, "proposal-accept", actor),
    // A run holds its room; when it ends the room may unload like after any other use.
    release: (room) => rooms.release(room),
  });
  const suggestions = new Suggestions({ store, scoring: config.scoring ? scoring : null, units, activity });
  /** Plans being deleted: every call and upgrade for them answers 404 meanwhile. */
  const deleting = new Set<string>();
  const inUse = (planId: string): boolean => sync.hasSockets(planId) || rooms.isLoaded({ planId, part: "" });

  /**
   * Deletes a plan: closes its sockets (4404), unloads its rooms once the
   * REST calls holding them are done, then removes its stored data.
   */
  async function deletePlan(planId: string, ifIdle = false): Promise<boolean> {
    if (deleting.has(planId) || (ifIdle && inUse(planId))) return false;
    deleting.add(planId);
    try {
      sync.closePlan(planId);
      // A running proposal holds its room; stop it rather than wait for it.
      await proposals.stopAll(planId);
      await rooms.unloadPlan(planId);
      await activity.saved(planId);
      const deleted = await store.deletePlan(planId);
      demo.forget(planId);
      scopes.forget(planId);
      return deleted;
    } finally {
      deleting.delete(planId);
    }
  }

  // The demo template is built once, in the jobs worker, on first use.
  const demoPlan = () => demoTemplate(() => jobs.run("demo", {}, { timeoutMs: 300_000 }));
  const demo = new DemoCopies(
    store,
    { dataDir: config.dataDir, ttlDays: config.demoCopyTtlDays },
    {
      inUse,
      // An idle copy's scenarios (issue 14) go with it, those idle too: nobody else would ever delete them.
      deleteIfIdle: async (planId) => {
        const made = await scenarios.ids(planId).catch(() => []);
        const deleted = await deletePlan(planId, true);
        if (deleted) for (const id of made) await deletePlan(id, true);
        return deleted;
      },
      template: demoPlan,
    },
  );
  const rooms = new Rooms(
    store,
    {
      maxTerritories: config.maxTerritories,
      // A pin names an account, so there are never more pins than accounts.
      maxPins: MAX_ACCOUNTS,
      idleMs: config.roomIdleMs,
      compactLogBytes: config.compactLogBytes,
      compactWaitMs: config.compactWaitMs,
      compactMaxWaitMs: config.compactMaxWaitMs,
    },
    // In this order (server/rooms/extension.ts): scoring before the feed, which
    // reads its analyses to show what a reshape changed; proposals after both
    // (they measure with the one and write to the other); versions after them
    // (they read the unit layer and write to the feed; closing, they take the
    // session's last checkpoint before the others let go); the accounts'
    // reconcile last, once everything has been read: the only step that may write.
    [
      {
        // Loading and unloading are what "used" means for an idle demo copy.
        name: "demo-copies",
        onLoad: (room: Room): void => demo.touch(room.address.planId),
        onClose: (room: Room): void => demo.touch(room.address.planId),
      },
      // The unit layer before the scoring, which scores the plan it finds.
      units,
      ...(config.scoring ? [scoring, new ScoreTrail(store, scoring)] : []),
      activity,
      proposals,
      // After the scoring (effects) and the feed; marks suggestions outdated after any change.
      suggestions,
      versions,
      scenarios,
      scopes,
      {
        name: "accounts",
        onLoad: async (room: Room): Promise<void> => {
          if (room.address.part === "") await reconcileAccountsVersion(store, room);
        },
      },
    ],
  );
  const limiter = new RateLimiter(config.rateLimitPerSec, config.rateLimitBurst);

  const router = apiRouter({
    store,
    rooms,
    config,
    scoring,
    activity,
    units,
    jobs,
    proposals,
    suggestions,
    versions,
    scenarios,
    people,
    demo: config.seedDemo ? demo : null,
    deletePlan: (planId) => deletePlan(planId),
    isDeleting: (planId) => deleting.has(planId),
    cutOff: (planId, tokenHash) => sync.cutOff(planId, tokenHash),
    scopes,
  });

  const guarded = createGuardedServer(config, (req, res) => {
    if (!guarded.admit(req, res)) {
      res.shouldKeepAlive = false;
      sendError(res, 503, tooManyConnections(config.maxConnectionsPerAddress));
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) {
      const wait = limiter.take(clientAddress(req, config.trustProxy));
      if (wait > 0) {
        res.setHeader("retry-after", String(wait));
        sendError(res, 429, `Too many requests from your address; try again in ${wait} s.`);
        return;
      }
    }
    const handled = url.pathname.startsWith("/api/")
      ? router.handle(req, res, url).then((matched) => {
          if (!matched) sendError(res, 404, `There is no API endpoint ${req.method} ${url.pathname}.`);
        })
      : serveStatic(config.staticDir, req, res, url);
    handled.catch((e: Error) => {
      console.error(`[http] ${req.method} ${url.pathname}: ${e.message}`);
      if (!res.headersSent) sendError(res, 500, "Something went wrong on the server; please try again.");
    });
  });

  const server = guarded.server;
  const sync = new SyncEndpoint({
    config,
    store,
    rooms,
    people,
    limiter,
    guarded,
    isDeleting: (planId) => deleting.has(planId),
    scopes,
  });
  server.on("upgrade", sync.onUpgrade);

  // After the sync endpoint: the sweep asks it which copies have sockets open.
  await retirePublicDemo(store);
  await demo.start();
  // The first copy should not wait for the template to be generated.
  if (config.seedDemo) demoPlan().catch((e: Error) => console.error(`[demo] ${e.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;

  return {
    http: server,
    store,
    rooms,
    port,
    async close(opts: CloseOptions = {}) {
      // Stop listening; keep-alive connections with no request in flight go now, the rest at the end.
      server.close();
      server.closeIdleConnections();
      await demo.close();
      sync.closeAll();
      await rooms.closeAll();
      await stallPoint("hand-over");
      await opts.handOver?.();
      await scoring.close();
      await jobs.close();
      await balanceRunner.close();
      await store.close();
      server.closeAllConnections();
    },
  };
}
