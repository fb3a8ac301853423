import type http from "node:http";
import type { Duplex } from "node:stream";
import { MAX_ACCOUNTS } from "../shared/accounts/import.ts";
import { reconcileAccountsVersion } from "./api/accounts.ts";
import { apiRouter } from "./api/routes.ts";
import { sendError, sendJson } from "./api/http.ts";
import type { ServerConfig } from "./config.ts";
import { openStore } from "./persistence/open-store.ts";
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
import { Cluster, type Fencing } from "./cluster/cluster.ts";
import { Leases } from "./cluster/leases.ts";
import { ownedStore } from "./cluster/owned-store.ts";
import { planOfApiPath, routeRequest, routeUpgrade } from "./cluster/routing.ts";
import { trustInstances } from "./access/client-address.ts";
import { CloseCode } from "../shared/protocol/messages.ts";
import { logger } from "./ops/log.ts";
import { countLoadedPlansWith, ownerMoves, serveMetrics, startMetrics } from "./ops/metrics.ts";
import { CHECK_TIMEOUT_MS, type ReadyCheck, serveReady } from "./ops/ready.ts";
import { logRequest, requestFields } from "./ops/request-log.ts";
import { stallPoint } from "./util/crash-point.ts";

const demoLog = logger("demo");
const httpLog = logger("http");
const clusterLog = logger("cluster");

export interface WilayahServer {
  readonly http: http.Server;
  readonly store: PlanStore;
  readonly rooms: Rooms;
  /**
   * What `GET /api/ready` checks (storage, the scoring worker); push more
   * (the multi-instance layer's Redis) and they are checked from then on.
   */
  readonly readyChecks: ReadyCheck[];
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

/** What a caller may add to the server besides its configuration. */
export interface ServerExtras {
  /** Checks `GET /api/ready` runs besides the server's own (issue 16). */
  readyChecks?: readonly ReadyCheck[];
}

/** Builds and starts the whole server: REST, sync and static files on one port. */
export async function startServer(
  config: ServerConfig,
  /** Default: the store the configuration names (PostgreSQL with DATABASE_URL, else DATA_DIR). */
  given?: PlanStore,
  extras: ServerExtras = {},
): Promise<WilayahServer> {
  // Several instances (issue 16): each plan is served by its owner; the store refuses to write others'.
  const baseStore = given ?? (await openStore(config, { fencing: config.redisUrl !== null }));
  const cluster = config.redisUrl ? startCluster(config, baseStore) : null;
  const store = cluster ? ownedStore(baseStore, cluster) : baseStore;
  const scoring = new Scoring(store);
  if (config.scoring) scoring.warm();
  const people = await PersonKey.load(store, config.personKey);
  /** What another instance forwarding a call proves itself with: derived from the key every instance shares. */
  const hopSecret = cluster ? people.secretOf("wilayah-cluster-hop") : null;
  trustInstances(hopSecret);
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
    { ttlDays: config.demoCopyTtlDays },
    {
      inUse,
      // An idle copy's scenarios (issue 14) go with it, those idle too: nobody else would ever delete them.
      deleteIfIdle: async (planId) => {
        // Another instance serving it means someone uses it.
        if (cluster && (await cluster.route(planId, true)).kind !== "local") return false;
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
  countLoadedPlansWith(() => rooms.size);
  const readyChecks: ReadyCheck[] = [
    { name: "storage", check: () => store.ping() },
    ...(config.scoring ? [{ name: "scoring", check: () => scoring.ping(CHECK_TIMEOUT_MS) }] : []),
    // Several instances: Redis decides who serves which plan (issue 16).
    ...(cluster ? [{ name: "redis", check: () => cluster.ping() }] : []),
    ...(extras.readyChecks ?? []),
  ];

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
    logRequest(req, res);
    if (!guarded.admit(req, res)) {
      res.shouldKeepAlive = false;
      sendError(res, 503, tooManyConnections(config.maxConnectionsPerAddress));
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    // What operators and load balancers poll: no token, no rate limit (issue 16).
    const ops = opsRoute(req, url);
    if (!ops && url.pathname.startsWith("/api/")) {
      const wait = limiter.take(clientAddress(req, config.trustProxy));
      if (wait > 0) {
        res.setHeader("retry-after", String(wait));
        sendError(res, 429, `Too many requests from your address; try again in ${wait} s.`);
        return;
      }
    }
    const api = () =>
      router.handle(req, res, url).then((matched) => {
        if (!matched) sendError(res, 404, `There is no API endpoint ${req.method} ${url.pathname}.`);
      });
    // Several instances: a call naming a plan is served by the plan's owner, here or forwarded (issue 16).
    const planId = cluster && hopSecret ? planOfApiPath(url.pathname) : null;
    const handled = ops
      ? ops(res)
      : cluster && hopSecret && planId
        ? routeRequest(
            cluster,
            planId,
            req,
            res,
            { secret: hopSecret, client: clientAddress(req, config.trustProxy) },
            api,
          )
        : url.pathname.startsWith("/api/")
          ? api()
          : serveStatic(config.staticDir, req, res, url);
    handled.catch((e: Error) => {
      httpLog.error({ ...requestFields(req), err: e }, "the request failed");
      if (!res.headersSent) sendError(res, 500, "Something went wrong on the server; please try again.");
    });
  });

  /** The handler of an operations endpoint, or null when the request is not for one. */
  function opsRoute(req: http.IncomingMessage, url: URL): ((res: http.ServerResponse) => Promise<void>) | null {
    if (req.method !== "GET" && req.method !== "HEAD") return null;
    const path = url.pathname.replace(/\/$/, "");
    if (path === "/metrics") return (res) => serveMetrics(req, res, config.metricsToken);
    if (path === "/api/ready") return (res) => serveReady(res, readyChecks, () => store.damagedPlans());
    if (path === "/api/health") return async (res) => sendJson(res, 200, { ok: true, rooms: rooms.size });
    return null;
  }

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
  if (cluster && hopSecret) {
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const hop = { secret: hopSecret, client: clientAddress(req, config.trustProxy) };
      routeUpgrade(cluster, req, socket, head, hop, () => sync.onUpgrade(req, socket, head)).catch((e: Error) => {
        clusterLog.error({ err: e }, "forwarding a socket failed");
        socket.destroy();
      });
    });
  } else server.on("upgrade", sync.onUpgrade);
  cluster?.start({
    inUse,
    // Another instance took the plan over: its clients reconnect through it.
    lost: async (planId) => {
      clusterLog.warn({ planId }, `plan ${planId} moved to another instance; its sockets reconnect there`);
      sync.closePlan(planId, CloseCode.moved, "This plan moved to another server; reconnecting");
      await proposals.stopAll(planId);
      await rooms.unloadPlan(planId);
      scopes.forget(planId);
    },
  });

  // After the sync endpoint: the sweep asks it which copies have sockets open.
  await retirePublicDemo(store);
  await demo.start();
  // The first copy should not wait for the template to be generated.
  if (config.seedDemo) demoPlan().catch((e: Error) => demoLog.error({ err: e }, "building the demo template failed"));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  startMetrics(port);

  return {
    http: server,
    store,
    rooms,
    readyChecks,
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
      // Once every room is flushed, other instances may take the plans at once.
      await cluster?.close();
      await scoring.close();
      await jobs.close();
      await balanceRunner.close();
      await store.close();
      server.closeAllConnections();
    },
  };
}

/** The multi-instance layer (issue 16): needs a store that writes with fencing numbers (PostgreSQL). */
function startCluster(config: ServerConfig, store: PlanStore): Cluster {
  const fencing = store as Partial<Fencing>;
  if (typeof fencing.takeFence !== "function" || typeof fencing.dropFence !== "function") {
    throw new Error("REDIS_URL needs DATABASE_URL too: several instances share their plans through PostgreSQL");
  }
  if (!config.instanceUrl && config.port === 0)
    throw new Error("INSTANCE_URL is needed when PORT=0 and REDIS_URL is set");
  return new Cluster({
    leases: new Leases({ redisUrl: config.redisUrl as string, prefix: config.redisPrefix, leaseMs: config.leaseMs }),
    fencing: fencing as Fencing,
    instanceUrl: config.instanceUrl ?? `http://127.0.0.1:${config.port}`,
    leaseMs: config.leaseMs,
    movedHere: () => ownerMoves.inc(),
    // A scenario is served with the plan it was made from (promoting and comparing need both).
    homeOf: async (planId) => {
      let meta = await store.getPlan(planId);
      if (!meta) return null;
      for (let depth = 0; depth < 8 && meta.origin; depth++) {
        const up = await store.getPlan(meta.origin.plan);
        if (!up) break;
        meta = up;
      }
      return meta.id;
    },
  });
}
