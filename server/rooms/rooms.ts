import { type RoomAddress, roomKey } from "../../shared/protocol/rooms.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { RoomExtension } from "./extension.ts";
import { Room, type RoomOptions } from "./room.ts";
import { logger } from "../ops/log.ts";

const roomsLog = logger("rooms");

export interface RoomsOptions extends RoomOptions {
  /** How long a room with nobody in it stays loaded. */
  idleMs: number;
}

interface Slot {
  room: Promise<Room>;
  idleTimer: NodeJS.Timeout | null;
  /** Set while the room is being closed; new users wait for it, then load afresh. */
  closing: Promise<void> | null;
}

/**
 * Loads documents on first use, keeps them while someone uses them and
 * unloads them (compacting first) when the last user has gone. A failed load
 * is forgotten at once, so the next attempt reads storage again and nothing
 * is ever written over data that could not be read.
 */
export class Rooms {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly store: PlanStore,
    private readonly opts: RoomsOptions,
    /** What every room gets, in order (extension.ts); a failing onLoad fails the load. */
    private readonly extensions: readonly RoomExtension[] = [],
  ) {}

  /** The loaded room for an address; loads it when needed. Rejects when storage cannot load it. */
  async acquire(address: RoomAddress): Promise<Room> {
    const key = roomKey(address);
    for (;;) {
      const slot = this.slots.get(key);
      if (slot?.closing) {
        await slot.closing;
        continue;
      }
      if (slot) {
        if (slot.idleTimer) {
          clearTimeout(slot.idleTimer);
          slot.idleTimer = null;
        }
        const room = await slot.room;
        if (this.slots.get(key) !== slot || slot.closing) continue;
        return room;
      }
      const fresh: Slot = { room: this.load(address), idleTimer: null, closing: null };
      this.slots.set(key, fresh);
      fresh.room.catch(() => {
        if (this.slots.get(key) === fresh) this.slots.delete(key);
      });
    }
  }

  private async load(address: RoomAddress): Promise<Room> {
    const stored = await this.store.openDocument(address.planId, address.part);
    const room = new Room(address, stored, this.opts, this.extensions);
    const loaded: RoomExtension[] = [];
    try {
      for (const ext of this.extensions) {
        await ext.onLoad?.(room);
        loaded.push(ext);
      }
    } catch (e) {
      // Only what loaded closes again; nothing is compacted or written for a room that failed.
      await room.abandon(loaded).catch(() => {});
      throw e;
    }
    return room;
  }

  /**
   * Runs `fn` with the room held, so it stays loaded meanwhile. For REST
   * handlers and other users without a socket.
   */
  async with<T>(address: RoomAddress, fn: (room: Room) => Promise<T>): Promise<T> {
    const room = await this.acquire(address);
    room.holds++;
    try {
      return await fn(room);
    } finally {
      room.holds--;
      this.release(room);
    }
  }

  /** Call when a user of the room has gone; unloads it after the idle delay when nobody is left. */
  release(room: Room): void {
    if (room.inUse) return;
    const key = roomKey(room.address);
    const slot = this.slots.get(key);
    if (!slot || slot.closing || slot.idleTimer) return;
    const unload = () => {
      slot.idleTimer = null;
      if (room.inUse || slot.closing) return;
      slot.closing = room
        .close()
        .catch((e: Error) =>
          roomsLog.error({ room: key, planId: room.address.planId, err: e }, "closing the room failed"),
        );
      slot.closing.finally(() => {
        if (this.slots.get(key) === slot) this.slots.delete(key);
      });
    };
    if (this.opts.idleMs === 0) unload();
    else {
      slot.idleTimer = setTimeout(unload, this.opts.idleMs);
      slot.idleTimer.unref();
    }
  }

  /** Whether a room is in memory now (for tests and health). */
  isLoaded(address: RoomAddress): boolean {
    return this.slots.has(roomKey(address));
  }

  get size(): number {
    return this.slots.size;
  }

  /**
   * Closes every room of a plan now rather than after the idle delay, once
   * the REST calls holding it have finished (for deleting the plan: its
   * sockets must be closed first, and nothing may acquire it meanwhile).
   */
  async unloadPlan(planId: string, waitMs = 10_000): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (const [key, slot] of [...this.slots]) {
      if (key !== planId && !key.startsWith(`${planId}/`)) continue;
      if (slot.closing) {
        await slot.closing;
        continue;
      }
      const room = await slot.room.catch(() => null);
      if (!room || this.slots.get(key) !== slot) continue;
      while (room.inUse && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      if (slot.closing) {
        await slot.closing;
        continue;
      }
      slot.closing = room
        .close()
        .catch((e: Error) =>
          roomsLog.error({ room: key, planId: room.address.planId, err: e }, "closing the room failed"),
        );
      await slot.closing;
      if (this.slots.get(key) === slot) this.slots.delete(key);
    }
  }

  /** Closes every room (compacting each): on shutdown. */
  async closeAll(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [key, slot] of this.slots) {
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      closing.push(
        slot.closing ??
          slot.room.then(
            (room) => room.close(),
            () => {},
          ),
      );
      this.slots.delete(key);
    }
    await Promise.allSettled(closing);
  }
}
