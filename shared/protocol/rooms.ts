import { ID_PATTERN } from "../ids.ts";

/**
 * A plan's documents. The territories live in the plan's main document
 * (`/sync/<planId>`, part ""); documents with other permissions (comments,
 * server-written analysis) get a part of their own (`/sync/<planId>/<part>`).
 */
export const PARTS = [""] as const;
export type Part = (typeof PARTS)[number];

export interface RoomAddress {
  planId: string;
  part: Part;
}

/** Parses `/sync/<planId>[/<part>]`; null when the path is not a sync URL. */
export function parseSyncPath(pathname: string): RoomAddress | null {
  const m = /^\/sync\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m) return null;
  const planId = decodeSegment(m[1] as string);
  const part = m[2] === undefined ? "" : decodeSegment(m[2]);
  if (planId === null || part === null) return null;
  if (!ID_PATTERN.test(planId) || !(PARTS as readonly string[]).includes(part)) return null;
  return { planId, part: part as Part };
}

/** decodeURIComponent, but null for malformed escapes (`%`, `%zz`) instead of a URIError. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function syncPath({ planId, part }: RoomAddress): string {
  return part
    ? `/sync/${encodeURIComponent(planId)}/${encodeURIComponent(part)}`
    : `/sync/${encodeURIComponent(planId)}`;
}

export function roomKey({ planId, part }: RoomAddress): string {
  return part ? `${planId}/${part}` : planId;
}
