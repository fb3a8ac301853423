import { cellToLatLng } from "h3-js";
import { describe, expect, it } from "vitest";
import type { ActivityEntry, ActivityPage } from "../../shared/activity/activity.ts";
import { readUnitAssignment, readUnitsVersion } from "../../shared/doc/schema.ts";
import { unitIndex } from "../../shared/units/layer.ts";
import { strokeUpdate } from "../fixtures/remote-edit.ts";
import {
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  type LinkRole,
  useServer,
  peopleOn,
  WEST_AND_EAST,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/**
 * The feed's paint entries (issue 12): a stroke is recorded as one
 * "territory-painted" entry per territory it gave units to or took them
 * from, with the person, how many units and where, live and over REST.
 */

const server = useServer();

const { personNamed, as } = peopleOn(server);

/** A socket of a person's browser. */
async function socketOf(plan: CreatedPlan, role: LinkRole, name: string): Promise<RawClient> {
  const person = await personNamed(name);
  const client = await RawClient.connect(
    `${server.wsUrl}/sync/${plan.id}?person=${person.id}&secret=${person.secret}&name=${encodeURIComponent(name)}`,
    role,
  );
  await eventually(() => expect(client.synced).toBe(true));
  return client;
}

/** One stroke: every write in one transaction, sent as one update, as the client's paint tool does. */
function paint(client: RawClient, entries: [string, string | null][]): void {
  client.sendUpdate(strokeUpdate(client.doc, entries));
}

/** Two drawn territories near Bandung, West and East of 107.6°E, made into a plan of hexagons by Siti. */
async function unitPlan() {
  const plan = await createPlanWithLinks(server, "Bandung units");
  const siti = as(plan, "edit", "Siti");
  expect((await siti("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
  const rows = ["id,lat,lon,revenue"];
  for (let i = 0; i < 20; i++) rows.push(`a${i},${-6.99 + (i % 5) * 0.02},${107.51 + Math.floor(i / 5) * 0.05},10`);
  const csv = await fetch(`${server.url}/api/plans/${plan.id}/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": "text/csv" },
    body: rows.join("\n"),
  });
  expect(csv.status).toBe(201);
  expect((await siti("POST", "/units", { kind: "h3", resolution: 7, area: "territories" })).status).toBe(201);
  const layer = (await siti("GET", "/units")).body as unknown as { features: { id: string }[] };
  /** A unit's centre from its document key: the layer's order is the keys' order, and an H3 unit's centre is its cell's. */
  const centre = (key: string): [number, number] => {
    const id = layer.features[unitIndex(key, layer.features.length)]?.id as string;
    const [lat, lng] = cellToLatLng(id);
    return [lng, lat];
  };
  return { plan, siti, centre };
}

async function feed(plan: CreatedPlan): Promise<ActivityEntry[]> {
  const res = await fetch(`${server.url}/api/plans/${plan.id}/activity?limit=200&token=${plan.tokens.view}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as ActivityPage).entries;
}

function boxOf(points: [number, number][]): [number, number, number, number] {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

function expectBox(actual: ActivityEntry["box"], expected: [number, number, number, number]): void {
  expect(actual).toHaveLength(4);
  // The stored layer keeps centres to 1e-6°.
  for (const [i, v] of (actual ?? []).entries()) expect(v).toBeCloseTo(expected[i] as number, 5);
}

const painted = (entries: Iterable<ActivityEntry>) => [...entries].filter((e) => e.kind === "territory-painted");

describe("paint strokes in the activity feed", () => {
  it("records a socket's stroke as one entry per territory, with the person, the count and the box, live and over REST", async () => {
    const { plan, centre } = await unitPlan();
    // Making the layer is one entry of its own: no strokes, no reshapes of the converted territories.
    const afterConversion = await feed(plan);
    expect(afterConversion.map((e) => e.kind)).toEqual([
      "units-created",
      "accounts-imported",
      "territory-created",
      "territory-created",
    ]);

    const leader = await socketOf(plan, "view", "Leader");
    const ani = await socketOf(plan, "edit", "Ani");
    const aniPerson = await personNamed("Ani");
    try {
      await eventually(() => expect(readUnitsVersion(ani.doc)).toBe(1));
      const west = [...readUnitAssignment(ani.doc)].filter(([, t]) => t === "west").map(([k]) => k);
      expect(west.length).toBeGreaterThan(6);
      const first = west.slice(0, 3);
      paint(
        ani,
        first.map((k) => [k, "east"]),
      );

      const live = await eventually(() => {
        const entries = painted(leader.activity.values());
        expect(entries).toHaveLength(2);
        return entries;
      });
      const into = live.find((e) => e.territoryId === "east") as ActivityEntry;
      const outOf = live.find((e) => e.territoryId === "west") as ActivityEntry;
      expect(into).toMatchObject({
        actor: { id: aniPerson.id, name: "Ani", role: "edit" },
        territoryName: "East",
        count: 1,
        details: { count: 3, gained: 3, lost: 0 },
      });
      expect(outOf).toMatchObject({ territoryName: "West", details: { count: 3, gained: 0, lost: 3 } });
      const firstBox = boxOf(first.map(centre));
      expectBox(into.box, firstBox);
      expectBox(outOf.box, firstBox);
      // The territory painted into is the newest.
      expect(into.seq).toBeGreaterThan(outOf.seq);

      const rest = painted(await feed(plan));
      expect(rest.map((e) => [e.seq, e.territoryId, e.details?.count])).toEqual([
        [into.seq, "east", 3],
        [outOf.seq, "west", 3],
      ]);
      // Like a reshape, the entry shows how the stroke moved the territory once the analysis has it.
      await eventually(() => expect(leader.activity.get(into.seq)?.details?.after).toBeTruthy());

      // Ani's next stroke into East folds into the same entries: units added up, boxes joined.
      const second = west.slice(3, 5);
      paint(
        ani,
        second.map((k) => [k, "east"]),
      );
      const folded = await eventually(() => {
        const e = leader.activity.get(into.seq);
        expect(e?.count).toBe(2);
        return e as ActivityEntry;
      });
      expect(folded.details).toMatchObject({ count: 5, gained: 5, lost: 0 });
      expectBox(folded.box, boxOf([...first, ...second].map(centre)));
      expect(painted(await feed(plan))).toHaveLength(2);

      // Taken out with the modifier (no territory): painted out of the one that had them.
      const eastNow = [...readUnitAssignment(ani.doc)].filter(([, t]) => t === "east").map(([k]) => k);
      await eventually(() => expect(readUnitAssignment(leader.doc).get(second[1] as string)).toBe("east"));
      const budi = await socketOf(plan, "edit", "Budi");
      try {
        const out = eastNow.filter((k) => !first.includes(k) && !second.includes(k)).slice(0, 2);
        paint(
          budi,
          out.map((k) => [k, null]),
        );
        const taken = await eventually(() => {
          const e = painted(leader.activity.values()).find((x) => x.actor.name === "Budi");
          expect(e).toBeDefined();
          return e as ActivityEntry;
        });
        expect(taken).toMatchObject({ territoryId: "east", count: 1, details: { count: 2, gained: 0, lost: 2 } });
        expectBox(taken.box, boxOf(out.map(centre)));
        // Nothing was painted into anything: one entry only.
        expect(painted(await feed(plan))).toHaveLength(3);
      } finally {
        budi.close();
      }
    } finally {
      leader.close();
      ani.close();
    }
  });

  it("records PATCH …/units as one stroke by its caller, and a refused paint as nothing", async () => {
    const { plan, siti, centre } = await unitPlan();
    const layer = (await siti("GET", "/units")).body as unknown as {
      features: { id: string; properties: { territory: string | null } }[];
    };
    const westIds = layer.features.filter((f) => f.properties.territory === "west").map((f) => f.id);
    const keyOf = (id: string) => layer.features.findIndex((f) => f.id === id).toString(36);
    const moved = westIds.slice(0, 4);
    const patched = await siti("PATCH", "/units", { assign: Object.fromEntries(moved.map((id) => [id, "east"])) });
    expect(patched).toMatchObject({ status: 200, body: { assigned: 4 } });
    const entries = painted(await feed(plan));
    expect(entries.map((e) => [e.territoryId, e.actor.name, e.details?.gained, e.details?.lost])).toEqual([
      ["east", "Siti", 4, 0],
      ["west", "Siti", 0, 4],
    ]);
    expectBox(entries[0]?.box, boxOf(moved.map((id) => centre(keyOf(id)))));

    // Refused on the socket: a commenter's stroke, and an editor's into a territory that does not exist.
    const rep = await socketOf(plan, "comment", "Rep");
    const ani = await socketOf(plan, "edit", "Ani");
    try {
      const before = await feed(plan);
      const key = keyOf(westIds[5] as string);
      paint(rep, [[key, "east"]]);
      await eventually(() => expect(rep.refusals[0]?.code).toBe("forbidden"));
      paint(ani, [[key, "ghost"]]);
      await eventually(() => expect(ani.refusals[0]?.code).toBe("invalid-update"));
      // Refused over REST too: an unknown unit refuses the whole request.
      const bad = await siti("PATCH", "/units", { assign: { [westIds[6] as string]: "east", nope: "east" } });
      expect(bad.status).toBe(400);
      expect(await feed(plan)).toEqual(before);
      expect(readUnitAssignment(ani.doc).get(key)).toBe("west");
    } finally {
      rep.close();
      ani.close();
    }

    // A deleted territory's units go with it: its deletion says so, not a stroke out of it.
    expect((await siti("DELETE", "/territories/west")).status).toBe(204);
    const deleted = await feed(plan);
    expect(deleted.map((e) => e.kind).slice(0, 2)).toEqual(["territory-deleted", "territory-painted"]);
    expect(painted(deleted)).toHaveLength(2);

    // Removing the layer is one entry of its own, not strokes out of every territory.
    expect((await siti("DELETE", "/units")).status).toBe(200);
    const last = await feed(plan);
    expect(last.map((e) => e.kind).slice(0, 2)).toEqual(["units-removed", "territory-deleted"]);
  });
});
