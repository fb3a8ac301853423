import { isRole, type Role } from "../access/roles.ts";

/**
 * The awareness state every client publishes (y-protocols awareness, relayed
 * by the server unchanged). Awareness is ephemeral: it is not stored and
 * vanishes 30 s after a client stops renewing it, so nothing here may be
 * needed to read the plan itself.
 *
 * ```
 * { user: { name: "Budi", color: "#e7298a", id: "k3…" }, cursor: [106.8, -6.2], selection: ["t1"] }
 * ```
 */
export interface PresenceState {
  user: PresenceUser;
  /**
   * Pointer position on the map as [longitude, latitude] (WGS84), or null when
   * the pointer is off the map. Lon/lat rather than pixels: peers have other
   * zooms and window sizes.
   */
  cursor: [number, number] | null;
  /** Ids of the territories this person has selected, so others see who is editing what. */
  selection: string[];
  /**
   * What their map shows, so others can follow it (follow mode): centre as
   * [longitude, latitude] and OpenLayers zoom. Null until the map is ready.
   */
  view: PresenceView | null;
  /**
   * True while their Paint or Fill tool is on (a unit plan): the territory
   * they have selected is the one they are painting into. Absent otherwise.
   */
  painting?: boolean;
}

export interface PresenceView {
  center: [number, number];
  zoom: number;
}

export interface PresenceUser {
  /** The name the person typed ("" until they have); shown as text, never as HTML. */
  name: string;
  /** Their colour, `#rrggbb`, for cursor, outline and avatar. */
  color: string;
  /**
   * A stable id kept in the browser's storage. The Yjs client id changes on
   * every page load; this one lets a UI recognise the same person across
   * reloads and tabs.
   */
  id: string;
  /**
   * The role of the link they connected with. Written by the server over
   * whatever the client sent (like `name` and `id`: presence is bound to the
   * connection), so nobody can pose as a manager.
   */
  role?: Role;
  /**
   * "wall": a screen showing the wall view (the targets dashboard beside the
   * map), usually nobody's in particular, so others see "Wall view" rather
   * than a nameless guest (issue 10). Only the client says so; it grants nothing.
   */
  screen?: "wall";
}

const COLOR = /^#[0-9a-fA-F]{6}$/;
const MAX_NAME = 60;
const MAX_SELECTION = 500;

/**
 * Reads a peer's awareness state defensively: it comes from the network, so
 * anything may be in it. Returns null for states that are not ours (another
 * tool on the same room) or malformed.
 *
 * @example parsePresence({ user: { name: "Budi", color: "#e7298a", id: "x" }, cursor: null, selection: [] })
 */
export function parsePresence(value: unknown): PresenceState | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const user = v.user as Record<string, unknown> | undefined;
  if (typeof user !== "object" || user === null) return null;
  if (typeof user.name !== "string" || typeof user.color !== "string" || typeof user.id !== "string") return null;
  const name = user.name.trim().slice(0, MAX_NAME);
  const color = COLOR.test(user.color) ? user.color : "#888888";
  let cursor: [number, number] | null = null;
  if (Array.isArray(v.cursor) && v.cursor.length === 2) {
    const [lon, lat] = v.cursor as unknown[];
    if (typeof lon === "number" && typeof lat === "number" && Number.isFinite(lon) && Number.isFinite(lat)) {
      cursor = [lon, lat];
    }
  }
  const selection = Array.isArray(v.selection)
    ? (v.selection as unknown[]).filter((s): s is string => typeof s === "string").slice(0, MAX_SELECTION)
    : [];
  let view: PresenceView | null = null;
  const rawView = v.view as { center?: unknown; zoom?: unknown } | null | undefined;
  if (typeof rawView === "object" && rawView !== null && Array.isArray(rawView.center)) {
    const [lon, lat] = rawView.center as unknown[];
    const zoom = rawView.zoom;
    if (
      typeof lon === "number" &&
      typeof lat === "number" &&
      typeof zoom === "number" &&
      Number.isFinite(lon) &&
      Number.isFinite(lat) &&
      Number.isFinite(zoom)
    ) {
      view = { center: [lon, lat], zoom };
    }
  }
  const role = isRole(user.role) ? user.role : undefined;
  const screen = user.screen === "wall" ? "wall" : undefined;
  return {
    user: { name, color, id: user.id.slice(0, 64), ...(role ? { role } : {}), ...(screen ? { screen } : {}) },
    cursor,
    selection,
    view,
    ...(v.painting === true ? { painting: true } : {}),
  };
}
