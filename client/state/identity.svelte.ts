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

/** Who is using this browser: asked once, remembered in localStorage. */
export class Identity {
  name = $state("");
  color: string;
  id: string;

  constructor() {
    let stored: Partial<PresenceUser> = {};
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

  #save(): void {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ name: this.name, color: this.color, id: this.id }));
    } catch {
      // Storage blocked: the name lasts for this page.
    }
  }
}

export const identity = new Identity();
