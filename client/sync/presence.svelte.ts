import type { Awareness } from "y-protocols/awareness";
import {
  type PresenceState,
  type PresenceUser,
  type PresenceView,
  parsePresence,
} from "../../shared/protocol/presence.ts";
import { t } from "../i18n/i18n.svelte.ts";
import type { PlanSession } from "./provider.ts";
import { Throttled } from "./throttled.ts";

/** Another person's client in this plan (one per tab). */
export interface Peer extends PresenceState {
  clientId: number;
}

/** Pointer updates per second we send at most (~20/s keeps cursors smooth without flooding the room). */
const CURSOR_INTERVAL_MS = 50;
/** Map view updates per second at most (~5/s: followers animate between them). */
const VIEW_INTERVAL_MS = 200;

/** Someone with a territory selected, painting into it or not. */
export type Editing = PresenceUser & { painting: boolean };

/**
 * Presence over y-protocols awareness: publishes who I am, where my pointer
 * is and what I have selected; exposes the others as `$state` for the UI.
 */
export class Presence {
  /** Everyone else, one entry per client, sorted by name. */
  peers = $state.raw<Peer[]>([]);

  #session: PlanSession;
  #user: PresenceUser;
  #selection: string[] = [];
  #painting = false;
  #cursor = new Throttled<[number, number]>(CURSOR_INTERVAL_MS, (c) => this.#awareness.setLocalStateField("cursor", c));
  #view = new Throttled<PresenceView>(VIEW_INTERVAL_MS, (v) => this.#awareness.setLocalStateField("view", v));
  #unbind: (() => void) | null = null;
  #offReset: () => void;

  constructor(session: PlanSession, user: PresenceUser) {
    this.#session = session;
    this.#user = user;
    this.#bind();
    this.#offReset = session.on("reset", () => this.#bind());
  }

  get #awareness(): Awareness {
    return this.#session.provider.awareness;
  }

  #bind(): void {
    this.#unbind?.();
    const awareness = this.#awareness;
    const state: PresenceState = {
      user: this.#user,
      cursor: this.#cursor.value,
      selection: this.#selection,
      view: this.#view.value,
      ...(this.#painting ? { painting: true } : {}),
    };
    awareness.setLocalState(state);
    const onChange = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      // My own cursor moves 20 times a second; only others' changes matter here.
      const self = awareness.clientID;
      if (added.some((c) => c !== self) || updated.some((c) => c !== self) || removed.some((c) => c !== self)) {
        this.#refresh(awareness);
      }
    };
    awareness.on("change", onChange);
    this.#unbind = () => awareness.off("change", onChange);
    this.#refresh(awareness);
  }

  #refresh(awareness: Awareness): void {
    const self = awareness.clientID;
    const peers: Peer[] = [];
    awareness.getStates().forEach((value, clientId) => {
      if (clientId === self) return;
      const state = parsePresence(value);
      // A wall screen is nobody's in particular; anyone else nameless has not typed a name yet (the first-visit dialog is open).
      if (state && !state.user.name)
        state.user.name = state.user.screen === "wall" ? t("people.wall") : t("people.guest");
      if (state) peers.push({ clientId, ...state });
    });
    peers.sort((a, b) => a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId);
    this.peers = peers;
  }

  /** People (not tabs): one entry per user id, for the header. */
  people = $derived.by(() => {
    const seen = new Map<string, PresenceUser>();
    for (const p of this.peers) if (!seen.has(p.user.id)) seen.set(p.user.id, p.user);
    // Peers change 20 times a second while someone moves their pointer; keep
    // the same object when the people did not change, so nothing re-renders.
    const people = [...seen.values()];
    const key = JSON.stringify(people);
    if (key === this.#peopleKey) return this.#people;
    this.#peopleKey = key;
    this.#people = people;
    return people;
  });
  #peopleKey = "";
  #people: PresenceUser[] = [];

  /** Territory id → the others who have it selected, and whether they paint into it (same object while that does not change). */
  editorsByTerritory = $derived.by(() => {
    const out = new Map<string, Editing[]>();
    for (const p of this.peers) {
      for (const id of p.selection) {
        const list = out.get(id) ?? [];
        const known = list.find((u) => u.id === p.user.id);
        if (!known) list.push({ ...p.user, painting: p.painting === true });
        else if (p.painting) known.painting = true;
        out.set(id, list);
      }
    }
    const key = JSON.stringify([...out]);
    if (key === this.#editorsKey) return this.#editors;
    this.#editorsKey = key;
    this.#editors = out;
    return out;
  });
  #editorsKey = "";
  #editors = new Map<string, Editing[]>();

  /** The name behind a Yjs client id (e.g. geometryWriter's answer), if that client is here. */
  nameOf(clientId: number | null): string | null {
    if (clientId === null) return null;
    const p = this.peers.find((peer) => peer.clientId === clientId);
    if (p) return p.user.name;
    const state = parsePresence(this.#awareness.getStates().get(clientId));
    return state?.user.name ?? null;
  }

  setUser(user: PresenceUser): void {
    this.#user = user;
    this.#awareness.setLocalStateField("user", user);
  }

  /** Whether my Paint or Fill tool is on (others see "… is painting" on the selected territory). */
  setPainting(on: boolean): void {
    if (on === this.#painting) return;
    this.#painting = on;
    this.#awareness.setLocalStateField("painting", on ? true : undefined);
  }

  setSelection(ids: string[]): void {
    this.#selection = ids;
    this.#awareness.setLocalStateField("selection", ids);
  }

  /** Throttled to ~20 updates a second, trailing edge kept so the last position always arrives. */
  setCursor(cursor: [number, number] | null): void {
    this.#cursor.set(cursor ? [Math.round(cursor[0] * 1e6) / 1e6, Math.round(cursor[1] * 1e6) / 1e6] : null);
  }

  /**
   * What my map shows, for those who follow me: throttled to ~5 updates a
   * second, trailing edge kept so followers end where I stopped.
   */
  setView(view: PresenceView | null): void {
    this.#view.set(
      view
        ? {
            center: [Math.round(view.center[0] * 1e6) / 1e6, Math.round(view.center[1] * 1e6) / 1e6],
            zoom: Math.round(view.zoom * 1000) / 1000,
          }
        : null,
    );
  }

  /** The view of the person with this id (their first tab that has one), or null. */
  viewOf(personId: string): PresenceView | null {
    for (const p of this.peers) if (p.user.id === personId && p.view) return p.view;
    return null;
  }

  destroy(): void {
    this.#view.cancel();
    this.#cursor.cancel();
    this.#unbind?.();
    this.#offReset();
  }
}
