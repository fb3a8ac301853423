import { square } from "../fixtures/shapes.ts";
import { addTerritories, apiFetch } from "./harness.ts";

/**
 * Territories whose names carry a rising counter (`w1-42`), for tests of
 * what survives a crash or a failover: each writer renames its territory
 * with the next number, and what is stored must be at least the last one
 * acknowledged.
 */

/** Adds one small square per id, named `<id>-0`. */
export async function seedCounters(server: { url: string }, planId: string, ids: string[]): Promise<void> {
  await addTerritories(server, planId, {
    type: "FeatureCollection",
    features: ids.map((id, i) => ({
      type: "Feature",
      geometry: square(105 + i, -7),
      properties: { id, name: `${id}-0` },
    })),
  });
}

/** Renames a territory over REST with the edit link; the status (200 once stored). Rejects when the connection fails. */
export async function renameOver(server: { url: string }, planId: string, id: string, name: string): Promise<number> {
  const res = await apiFetch(`${server.url}/api/plans/${planId}/territories/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "Feature", properties: { name } }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The counter in a name like "w1-42" (-1 when there is none). */
export function counterOf(name: string | undefined): number {
  const m = /-(\d+)$/.exec(name ?? "");
  return m ? Number(m[1]) : -1;
}
