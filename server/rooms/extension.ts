import type * as Y from "yjs";
import type { DocChanges } from "../../shared/doc/changes.ts";
import type { Room, RoomPeer } from "./room.ts";

/**
 * What hangs off a room (Hocuspocus's Extension hooks): scoring, the
 * activity feed, the unit layer, and what later issues add (auto-balance,
 * versions, PostgreSQL and Redis). Extensions run in the fixed order of the
 * list the server gives `Rooms` (server/app.ts), so an extension may rely on
 * those before it: the feed reads the scoring's analyses, reconciling the
 * accounts comes last because it is the one step that may write.
 */
export interface RoomExtension {
  /** For logs and errors. */
  readonly name: string;
  /** The room was loaded from storage; resolve once ready. A failure fails the load (nothing is written). */
  onLoad?(room: Room): Promise<void> | void;
  /** A peer joined (after the handshake started). */
  onJoin?(room: Room, peer: RoomPeer): void;
  /** After every transaction on the room's document that changed the plan, with what it changed. */
  onChange?(room: Room, changes: DocChanges, tr: Y.Transaction): void;
  /** The room is closing (in reverse order); it still holds its document. */
  onClose?(room: Room): Promise<void> | void;
}
