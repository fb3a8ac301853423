import { describe, expect, it } from "vitest";
import { emptyFootprint } from "../../shared/doc/check-update.ts";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import { Room } from "../rooms/room.ts";
import { LinkScopes } from "./scopes.ts";
import { addLink, newAccess } from "./tokens.ts";

function territory(id: string, parent: string, geometry: Territory["geometry"]): Territory {
  return { id, name: id.toUpperCase(), color: "#1b9e77", reps: [], targets: {}, parent, geometry };
}

/** A loaded plan with a and b in region "north", c in "south", and a link scoped by ids to [a]. */
async function setUp() {
  const store = new MemoryStore();
  const base = newAccess();
  const { access, link } = addLink(base.access, { role: "edit", label: "A only", scope: { territories: ["a"] } });
  await store.createPlan({ id: "p1", name: "P", createdAt: new Date().toISOString(), access });
  const scopes = new LinkScopes(store);
  const room = new Room(
    { planId: "p1", part: "" },
    await store.openDocument("p1", ""),
    { compactLogBytes: 1 << 20, compactWaitMs: 1000, compactMaxWaitMs: 5000 },
    [scopes],
  );
  transact(room.doc, LOCAL_EDIT, () => {
    writeTerritory(room.doc, territory("a", "north", box(0, 0, 1, 1)));
    writeTerritory(room.doc, territory("b", "north", box(1, 0, 2, 1)));
    writeTerritory(room.doc, territory("c", "south", box(5, 0, 6, 1)));
  });
  return { store, scopes, room, link };
}

describe("LinkScopes", () => {
  it("keeps its box index current: a territory moved next to the scope after it was built is tested", async () => {
    const { scopes, room, link } = await setUp();
    const guard = scopes.guard(room, link);
    if (!guard) throw new Error("no guard");
    const reshapeA = (g: Territory["geometry"]) => {
      const f = emptyFootprint();
      f.fields.set("a", new Set(["geometry"]));
      f.geometries.set("a", [g]);
      return guard.check(f);
    };
    // c is far away: a may grow east over where c is not.
    expect(reshapeA(box(0, 0, 1.5, 1)).ok).toBe(false); // over b, outside
    expect(reshapeA(box(-0.5, 0, 1, 1)).ok).toBe(true);
    // c moves next to a (someone else's edit): the index follows, and the same shape is now refused.
    transact(room.doc, LOCAL_EDIT, () => updateTerritory(room.doc, "c", { geometry: box(-1, 0, 0, 1) }));
    expect(reshapeA(box(-0.5, 0, 1, 1))).toMatchObject({ ok: false, reason: "overlap", territories: ["c"] });
    await room.close();
  });

  it("adds a territory its holder draws to the scope, at once and in the link's record", async () => {
    const { store, scopes, room, link } = await setUp();
    const guard = scopes.guard(room, link);
    if (!guard) throw new Error("no guard");
    const f = emptyFootprint();
    f.created.add("n");
    f.fields.set("n", new Set(["name", "color", "geometry"]));
    f.geometries.set("n", [box(0, 1, 1, 2)]);
    const verdict = guard.check(f);
    expect(verdict).toEqual({ ok: true, adopted: ["n"] });
    guard.accepted(verdict);
    expect(guard.test.ids?.has("n")).toBe(true);
    // The same link's other holders (a REST call, another socket) see it too.
    expect(scopes.testOf("p1", link)?.ids?.has("n")).toBe(true);
    await scopes.settled("p1");
    const meta = await store.getPlan("p1");
    expect(meta?.access?.labelled?.[0]?.scope).toEqual({ territories: ["a", "n"] });
    await room.close();
  });
});
