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
 * with its secret, which the server issues (`POST /api/people`, once per
 * browser), all remembered in localStorage. The id is public (comments show
 * it); the secret proves it, so the server counts this browser's comments as
 * its own only when both are sent. The share link's token decides what a
 * person may do. Until the server has answered (or when it cannot), a
 * locally made id stands in, and the server treats the browser as anonymous.
 * An id kept from before secrets existed is replaced by a new one.
 */
export class Identity {
  name = $state("");
  color: string;
  id = $state("");
  /** Proves `id` to the server (an HMAC it can check); empty for the stand-in. */
  secret = "";
  /** The id came from the server with its secret (not the local stand-in). */
  issued = false;

  #listeners = new Set<(id: string) => void>();
  #asking: Promise<void> | null = null;

  constructor() {
    let stored: Partial<PresenceUser> & { issued?: unknown; secret?: unknown } = {};
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
    this.secret = typeof stored.secret === "string" && stored.secret.length <= 128 ? stored.secret : "";
    // An id without a secret (kept from before secrets) proves nothing: ask for a new one.
    this.issued = stored.issued === true && typeof stored.id === "string" && stored.id !== "" && this.secret !== "";
    this.#save();
  }

  get needsName(): boolean {
    return this.name.trim() === "";
  }

  get user(): PresenceUser {
    return { name: this.name, color: this.color, id: this.id };
  }

  /** Who connects a socket: id, secret and name (sync URL parameters). */
  get person(): { id: string; name: string; secret: string } {
    return { id: this.id, name: this.name, secret: this.secret };
  }

  /** The headers that say who makes a REST call (the name URI-encoded: headers carry Latin-1 only). */
  headers(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.id) out["X-Wilayah-Person"] = this.id;
    if (this.secret) out["X-Wilayah-Person-Secret"] = this.secret;
    if (this.name) out["X-Wilayah-Name"] = encodeURIComponent(this.name);
    return out;
  }

  /**
   * The server did not recognise this browser's secret (its key changed):
   * forget the id and ask for a new one.
   */
  reissue(): Promise<void> {
    this.issued = false;
    this.secret = "";
    this.#save();
    return this.ensureIssued();
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
        const body = (await res.json()) as { id?: unknown; secret?: unknown };
        if (typeof body.id !== "string" || !body.id || body.id.length > 64) return;
        if (typeof body.secret !== "string" || !body.secret || body.secret.length > 128) return;
        this.issued = true;
        this.secret = body.secret;
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
        JSON.stringify({
          name: this.name,
          color: this.color,
          id: this.id,
          ...(this.issued ? { issued: true, secret: this.secret } : {}),
        }),
      );
    } catch {
      // Storage blocked: the name lasts for this page.
    }
  }
}

export const identity = new Identity();
