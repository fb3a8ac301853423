import { newId } from "../../shared/ids.ts";
import type { PresenceUser } from "../../shared/protocol/presence.ts";

const STORAGE_KEY = "wilayah.user";

/** Cursor and avatar colours: saturated enough to read on the map, distinct from each other. */
export const PEOPLE_COLORS = [
  "#e11d48",
  "#7c3aed",
  "#0284c7",
  "#059669",
  "#d97706",
  "#db2777",
  "#4f46e5",
  "#0d9488",
  "#ea580c",
  "#65a30d",
];

/**
 * Who is using this browser: a name asked once, a colour, and a person id
 * the server issues (`POST /api/people`, once per browser), all remembered in
 * localStorage. The id identifies, it does not authenticate: the share link's
 * token decides what a person may do. Until the server has answered (or when
 * it cannot), a locally made id stands in.
 */
export class Identity {
  name = $state("");
  color: string;
  id = $state("");
  /** The id came from the server (not the local stand-in). */
  issued = false;

  #listeners = new Set<(id: string) => void>();
  #asking: Promise<void> | null = null;

  constructor() {
    let stored: Partial<PresenceUser> & { issued?: unknown } = {};
    try {
      stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}") as Partial<PresenceUser>;
    } catch {
      stored = {};
    }
    this.name = typeof stored.name === "string" ? stored.name : "";
    this.color =
      typeof stored.color === "string" && /^#[0-9a-f]{6}$/i.test(stored.color)
        ? stored.color
        : (PEOPLE_COLORS[Math.floor(Math.random() * PEOPLE_COLORS.length)] as string);
    this.id = typeof stored.id === "string" && stored.id ? stored.id : newId(12);
    this.issued = stored.issued === true && typeof stored.id === "string" && stored.id !== "";
    this.#save();
  }

  get needsName(): boolean {
    return this.name.trim() === "";
  }

  get user(): PresenceUser {
    return { name: this.name, color: this.color, id: this.id };
  }

  setName(name: string): void {
    this.name = name.trim().slice(0, 60);
    this.#save();
  }

  /** Called with the new id when the server's answer replaces the stand-in. */
  onIssued(fn: (id: string) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Asks the server for this browser's person id, once (later calls share
   * the first answer). A failure keeps the stand-in; the next page load asks again.
   */
  ensureIssued(): Promise<void> {
    if (this.issued) return Promise.resolve();
    this.#asking ??= (async () => {
      try {
        const res = await fetch("/api/people", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(this.name ? { name: this.name } : {}),
        });
        if (!res.ok) return;
        const body = (await res.json()) as { id?: unknown };
        if (typeof body.id !== "string" || !body.id || body.id.length > 64) return;
        this.issued = true;
        if (body.id === this.id) return;
        this.id = body.id;
        this.#save();
        for (const fn of this.#listeners) fn(body.id);
      } catch {
        // Server unreachable or an older one without people: keep the local id.
      } finally {
        this.#save();
        this.#asking = null;
      }
    })();
    return this.#asking;
  }

  #save(): void {
    try {
      localStorage.setItem(
        STORAGE_KEY,
        JSON.stringify({ name: this.name, color: this.color, id: this.id, ...(this.issued ? { issued: true } : {}) }),
      );
    } catch {
      // Storage blocked: the name lasts for this page.
    }
  }
}

export const identity = new Identity();
