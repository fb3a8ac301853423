import { randomBytes } from "node:crypto";
import type { Leases } from "./leases.ts";

/**
 * Several instances serving the same plans (issue 16): each plan has one
 * owner at a time, which loads, validates, scores and writes it; every other
 * instance passes its clients' sockets and calls to the owner
 * (forward.ts). Why one owner rather than every instance applying every
 * update (Hocuspocus's Redis extension): the server validates each update
 * against the document before anyone sees it, scores the plan and keeps
 * server-side undo steps — work that must happen once, in one order, on one
 * document. See server/README.md, *Several instances*.
 *
 * Ownership is a Redis lease (leases.ts) plus a fencing number in
 * PostgreSQL: whoever takes the lease takes the next number, and every
 * write carries it, so an owner that lost its lease while paused is refused
 * when it resumes. This class decides, per call, whether to serve a plan
 * here or where to send it, renews what it owns, and gives plans up when
 * they fall idle or another instance took them.
 */
export interface Fencing {
  /** Takes the plan's next fencing number in the database; this store's writes of it carry it from now on. */
  takeFence(planId: string): Promise<number>;
  /** Forgets the plan's number: this store no longer writes the plan. */
  dropFence(planId: string): void;
}

export interface ClusterDeps {
  leases: Leases;
  fencing: Fencing;
  /** How the other instances reach this one (`http://10.0.0.5:8080`). */
  instanceUrl: string;
  /** A lease not renewed for this long is free; renewed every third of it. */
  leaseMs: number;
  /**
   * The plan whose lease covers this one: a scenario's origin (issue 14),
   * so a plan and its scenarios are always served by one instance (comparing
   * and promoting need both); the plan itself otherwise; null when there is
   * no such plan.
   */
  homeOf?(planId: string): Promise<string | null>;
  /** An owned plan not in use for this long is given back, so any instance may take it (default 10 s). */
  idleReleaseMs?: number;
  /** Counts a plan taken over from another instance (metrics). */
  movedHere?(planId: string): void;
}

/** What the server tells the cluster once its parts exist. */
export interface ClusterHooks {
  /** Whether a plan is in use here (sockets, loaded rooms): an owned plan in use is kept. */
  inUse(planId: string): boolean;
  /** This instance no longer owns the plan: close its sockets (clients reconnect through its new owner) and unload it. */
  lost(planId: string): Promise<void>;
}

export type Route =
  | { kind: "local" }
  | { kind: "forward"; url: string; holder: string }
  | { kind: "busy"; message: string };

const IDLE_RELEASE_MS = 10_000;

interface Owned {
  lastUsed: number;
  /** The family's plans whose fencing number this instance holds. */
  fenced: Set<string>;
}

export class Cluster {
  /** This process's lease value: a random id (a restarted instance is another owner) and its URL. */
  readonly me: string;
  /** Leases held, by family (a plan and its scenarios: see {@link ClusterDeps.homeOf}). */
  private readonly owned = new Map<string, Owned>();
  private readonly taking = new Map<string, Promise<Route>>();
  /** Calls in flight per family, so a plan is never given back under one. */
  private readonly held = new Map<string, number>();
  /** Each plan's family, once known (a plan's origin never changes). */
  private readonly homes = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private hooks: ClusterHooks = { inUse: () => false, lost: async () => {} };
  private renewing = false;
  private redisDownSince: number | null = null;

  constructor(private readonly deps: ClusterDeps) {
    this.me = `${randomBytes(6).toString("hex")} ${deps.instanceUrl}`;
  }

  /** Starts renewing leases (every third of their time). */
  start(hooks: ClusterHooks): void {
    this.hooks = hooks;
    this.timer = setInterval(
      () => {
        this.tick().catch(() => {});
      },
      Math.max(100, Math.floor(this.deps.leaseMs / 3)),
    );
    this.timer.unref();
  }

  /** The URL in a lease value. */
  static urlOf(holder: string): string {
    return holder.slice(holder.indexOf(" ") + 1);
  }

  /** Whether this instance serves the plan (holds its family's lease and its fencing number) now. */
  owns(planId: string): boolean {
    const home = this.homes.get(planId) ?? planId;
    return this.owned.get(home)?.fenced.has(planId) ?? false;
  }

  /** The plan's family, or null when there is no such plan (nothing is taken for it). */
  private async home(planId: string): Promise<string | null> {
    const known = this.homes.get(planId);
    if (known) return known;
    const home = this.deps.homeOf ? await this.deps.homeOf(planId) : planId;
    if (home === null) return null;
    if (this.homes.size > 100_000) this.homes.clear();
    this.homes.set(planId, home);
    return home;
  }

  /**
   * Where a call for the plan is served: here (taking the plan when nobody
   * owns it), at its owner, or nowhere for now (Redis unreachable, or a call
   * already forwarded once that found the plan moving: never forwarded twice).
   */
  async route(planId: string, forwarded: boolean): Promise<Route> {
    let home: string | null;
    try {
      home = await this.home(planId);
    } catch (e) {
      return busy(e as Error);
    }
    // No such plan: any instance answers so, and no lease or fencing number is taken for it.
    if (home === null) return { kind: "local" };
    const mine = this.owned.get(home);
    if (mine?.fenced.has(planId)) {
      mine.lastUsed = Date.now();
      return { kind: "local" };
    }
    const route = await this.once(`${home}|${planId}`, () => this.decide(home, planId));
    return route.kind === "forward" && forwarded ? moving() : route;
  }

  /** One attempt at a time to take (or find) a plan: concurrent callers share it. */
  private once(key: string, attempt: () => Promise<Route>): Promise<Route> {
    let pending = this.taking.get(key);
    if (!pending) {
      pending = attempt().finally(() => this.taking.delete(key));
      this.taking.set(key, pending);
    }
    return pending;
  }

  private async decide(home: string, planId: string): Promise<Route> {
    const { leases } = this.deps;
    try {
      if (this.owned.has(home)) return await this.own(home, planId);
      for (let attempt = 0; attempt < 3; attempt++) {
        const holder = await leases.holder(home);
        if (holder === this.me) return await this.own(home, planId);
        if (holder === null) {
          if (await leases.tryTake(home, this.me)) return await this.own(home, planId);
          continue;
        }
        return { kind: "forward", url: Cluster.urlOf(holder), holder };
      }
      return moving();
    } catch (e) {
      return busy(e as Error);
    }
  }

  /** We hold the family's lease: take the plan's next fencing number before touching it. */
  private async own(home: string, planId: string): Promise<Route> {
    // Taken already: a second number would refuse the writes in flight under the first.
    if (this.owned.get(home)?.fenced.has(planId)) return { kind: "local" };
    let fence: number;
    try {
      fence = await this.deps.fencing.takeFence(planId);
    } catch (e) {
      if (!this.owned.has(home)) await this.deps.leases.release(home, this.me).catch(() => {});
      throw e;
    }
    let owned = this.owned.get(home);
    if (!owned) {
      owned = { lastUsed: Date.now(), fenced: new Set() };
      this.owned.set(home, owned);
    }
    owned.fenced.add(planId);
    owned.lastUsed = Date.now();
    if (fence > 1) this.deps.movedHere?.(planId);
    return { kind: "local" };
  }

  /** Takes a plan this instance has just created (a new plan, or a scenario of a plan served here). */
  async claim(planId: string): Promise<void> {
    const home = (await this.home(planId)) ?? planId;
    const route = await this.once(`${home}|${planId}`, async () => {
      if (!this.owned.has(home) && !(await this.deps.leases.tryTake(home, this.me))) return moving();
      return this.own(home, planId);
    });
    if (route.kind !== "local") throw new Error(`plan ${planId} is served by another instance`);
  }

  /**
   * The owner named by `holder` refused our connection (its process is
   * gone): take its lease over now rather than wait for it to expire.
   * Safe even if it were alive — the fencing number stops its writes — so
   * this only ever costs it the plan. True when the plan is ours now.
   */
  async takeOver(planId: string, holder: string): Promise<boolean> {
    try {
      const home = (await this.home(planId)) ?? planId;
      if (this.owned.get(home)?.fenced.has(planId)) return true;
      const route = await this.once(`${home}|${planId}`, async () => {
        if (!this.owned.has(home) && !(await this.deps.leases.replace(home, holder, this.me))) return moving();
        return this.own(home, planId);
      });
      return route.kind === "local";
    } catch {
      return false;
    }
  }

  /** Marks a call in flight for a plan served here; call the result when it is done. */
  hold(planId: string): () => void {
    const home = this.homes.get(planId) ?? planId;
    this.held.set(home, (this.held.get(home) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.held.get(home) ?? 1) - 1;
      if (left <= 0) this.held.delete(home);
      else this.held.set(home, left);
      const mine = this.owned.get(home);
      if (mine) mine.lastUsed = Date.now();
    };
  }

  /** A write of the plan was refused for its fencing number: another instance owns it now. */
  fenced(planId: string): void {
    void this.lose(this.homes.get(planId) ?? planId);
  }

  /** Gives a family up without touching its lease (another instance has it). */
  private async lose(home: string): Promise<void> {
    const owned = this.owned.get(home);
    if (!owned) return;
    this.owned.delete(home);
    for (const id of owned.fenced) this.deps.fencing.dropFence(id);
    for (const id of owned.fenced) await this.hooks.lost(id).catch(() => {});
  }

  /** Renews every lease held; gives up those taken by others and those idle. */
  private async tick(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      const now = Date.now();
      const homes = [...this.owned.keys()];
      let still: boolean[];
      try {
        still = await this.deps.leases.renew(homes, this.me);
        this.redisDownSince = null;
      } catch {
        // Redis away: keep serving what we own — the fencing number keeps a
        // successor safe if the lease is lost meanwhile — and renew when it is back.
        this.redisDownSince ??= now;
        return;
      }
      for (const [i, home] of homes.entries()) {
        if (!still[i]) await this.lose(home);
      }
      for (const [home, owned] of [...this.owned]) {
        if (this.held.has(home) || [...owned.fenced].some((id) => this.hooks.inUse(id))) {
          owned.lastUsed = now;
          continue;
        }
        if (now - owned.lastUsed < (this.deps.idleReleaseMs ?? IDLE_RELEASE_MS)) continue;
        this.owned.delete(home);
        for (const id of owned.fenced) this.deps.fencing.dropFence(id);
        await this.deps.leases.release(home, this.me).catch(() => {});
      }
    } finally {
      this.renewing = false;
    }
  }

  /** Rejects when Redis does not answer (`GET /api/ready`). */
  ping(): Promise<void> {
    return this.deps.leases.ping();
  }

  /** Since when Redis has not answered (null: it answers). */
  get redisDown(): number | null {
    return this.redisDownSince;
  }

  /**
   * Gives every plan back (shutdown, after the rooms were flushed and
   * closed), so other instances take them at once instead of after the lease.
   */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const [home, owned] of [...this.owned]) {
      this.owned.delete(home);
      for (const id of owned.fenced) this.deps.fencing.dropFence(id);
      await this.deps.leases.release(home, this.me).catch(() => {});
    }
    await this.deps.leases.close();
  }
}

function busy(e: Error): Route {
  return {
    kind: "busy",
    message: `The servers cannot agree who serves this plan right now (${e.message}); try again in a moment.`,
  };
}

function moving(): Route {
  return { kind: "busy", message: "This plan is moving between servers; try again in a moment." };
}
