import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  readPins,
  readTerritory,
  territoriesMap,
  updateTerritory,
  writePin,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import { CloseCode, MAX_FRAME_BYTES } from "../../shared/protocol/messages.ts";
import { closed, openRing, polygon, square } from "../fixtures/shapes.ts";
import {
  addAccounts,
  apiFetch,
  connectStockClient,
  createPlan,
  eventually,
  type StockClient,
  useServer,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const server = useServer();

function territory(id: string, name: string, x = 106) {
  return { id, name, color: "#1b9e77", reps: [], targets: {}, parent: null, geometry: square(x, -7) };
}

/** A plan with two well-behaved stock clients that already share one territory. */
async function planWithTwoClients(): Promise<{ planId: string; b: StockClient; c: StockClient; done: () => void }> {
  const planId = await createPlan(server);
  const b = connectStockClient(server, planId);
  const c = connectStockClient(server, planId);
  transact(b.doc, LOCAL_EDIT, () => writeTerritory(b.doc, territory("good", "Good")));
  await eventually(() => expect(readTerritory(c.doc, "good")?.name).toBe("Good"));
  return {
    planId,
    b,
    c,
    done: () => {
      b.destroy();
      c.destroy();
    },
  };
}

/** After the bad input, the others still edit together. */
async function stillServing(b: StockClient, c: StockClient, name: string): Promise<void> {
  transact(c.doc, LOCAL_EDIT, () => updateTerritory(c.doc, "good", { name }));
  await eventually(() => expect(readTerritory(b.doc, "good")?.name).toBe(name));
}

async function restTerritoryIds(planId: string): Promise<string[]> {
  const fc = await (await apiFetch(`${server.url}/api/plans/${planId}/territories`)).json();
  return fc.features.map((f: { id: string }) => f.id).sort();
}

/** The update that writes `fn`'s change into a fresh document. */
function updateFrom(fn: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  fn(doc);
  return Y.encodeStateAsUpdate(doc);
}

/** The update that writes territory `id` field by field, as a client skipping the schema's checks could. */
function rawTerritory(id: string, name: unknown, geometry: unknown): Uint8Array {
  return updateFrom((doc) => {
    const t = new Y.Map<unknown>();
    territoriesMap(doc).set(id, t);
    t.set("name", name);
    t.set("color", "#ff0000");
    t.set("geometry", geometry);
  });
}

describe("bad input over the sync socket", () => {
  const invalidUpdates: [string, () => Uint8Array, RegExp][] = [
    [
      "a ring of three positions",
      () => rawTerritory("bad", "Bad", encodeGeometry(polygon(closed([0, 0], [1, 0])))),
      /at least 4/,
    ],
    [
      "geometry that is not binary",
      () => rawTerritory("bad", "Bad", { type: "Polygon", coordinates: [] }),
      /no geometry/,
    ],
    ["a latitude out of range", () => rawTerritory("bad", "Bad", encodeGeometry(square(10, 95))), /latitude/],
    ["a name that is a number", () => rawTerritory("bad", 42, encodeGeometry(square(106, -7))), /name must be text/],
    [
      "a map outside the schema",
      () => updateFrom((doc) => doc.getMap("evil").set("x", 1)),
      /outside the plan's schema/,
    ],
    [
      "a territory that is not a map",
      () => updateFrom((doc) => territoriesMap(doc).set("bad", "hello" as never)),
      /not a map/,
    ],
    // What REST refuses, the socket refuses too (issue 9: these were stored and served).
    ...["../../etc/passwd", "<img src=x onerror=alert(1)>", "x".repeat(100_000), "", "__proto__ x"].map(
      (id): [string, () => Uint8Array, RegExp] => [
        `a territory id REST would refuse (${JSON.stringify(id.slice(0, 20))})`,
        () => rawTerritory(id, "Bad id", encodeGeometry(square(106, -7))),
        /territory id must be/,
      ],
    ),
    [
      "a name padded with a megabyte of spaces",
      () => rawTerritory("padded", `a${" ".repeat(1024 * 1024)}`, encodeGeometry(square(106, -7))),
      /name/,
    ],
  ];

  for (const [what, make, message] of invalidUpdates) {
    it(`refuses ${what}: not stored, not relayed, others keep syncing`, async () => {
      const { planId, b, c, done } = await planWithTwoClients();
      const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
      try {
        await eventually(() => expect(raw.synced).toBe(true));
        raw.sendUpdate(make());
        await eventually(() => expect(raw.refusals).toHaveLength(1));
        expect(raw.refusals[0]).toMatchObject({ code: "invalid-update", reset: true });
        expect(raw.refusals[0]?.message).toMatch(message);
        await stillServing(b, c, `Good after ${what}`);
        expect([...territoriesMap(b.doc).keys()]).toEqual(["good"]);
        expect(b.doc.share.has("evil")).toBe(false);
        expect(await restTerritoryIds(planId)).toEqual(["good"]);
      } finally {
        raw.close();
        done();
      }
    });
  }

  it("refuses a pin of an account the plan does not have, and takes one it has", async () => {
    const { planId, b, c, done } = await planWithTwoClients();
    await addAccounts(server, planId, "id,lat,lon\nacc-1,-6.95,106.05\n");
    const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      await eventually(() => expect(readTerritory(raw.doc, "good")).not.toBeNull());
      const before = Y.encodeStateVector(raw.doc);
      writePin(raw.doc, "ghost", "good");
      raw.sendUpdate(Y.encodeStateAsUpdate(raw.doc, before));
      await eventually(() => expect(raw.refusals[0]?.message).toMatch(/no account ghost/));
      transact(c.doc, LOCAL_EDIT, () => writePin(c.doc, "acc-1", "good"));
      await eventually(() => expect(readPins(b.doc).get("acc-1")).toBe("good"));
      expect(readPins(b.doc).has("ghost")).toBe(false);
    } finally {
      raw.close();
      done();
    }
  });

  it("refuses an edit that breaks an existing territory, keeping the territory as it was", async () => {
    const { planId, b, c, done } = await planWithTwoClients();
    const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      await eventually(() => expect(readTerritory(raw.doc, "good")).not.toBeNull());
      const before = Y.encodeStateVector(raw.doc);
      territoriesMap(raw.doc).get("good")?.delete("name");
      raw.sendUpdate(Y.encodeStateAsUpdate(raw.doc, before));
      await eventually(() => expect(raw.refusals[0]?.message).toMatch(/needs a name/));
      await stillServing(b, c, "Still good");
      const fc = await (await apiFetch(`${server.url}/api/plans/${planId}/territories/good`)).json();
      expect(fc.properties.name).toBe("Still good");
    } finally {
      raw.close();
      done();
    }
  });

  it("accepts well-formed but self-intersecting geometry (scoring reports it)", async () => {
    const planId = await createPlan(server);
    const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      const bowTie = {
        type: "Polygon" as const,
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [1, 0],
            [0, 1],
            [0, 0],
          ] as [number, number][],
        ],
      };
      raw.sendUpdate(updateFrom((doc) => writeTerritory(doc, { ...territory("bow", "Bow tie"), geometry: bowTie })));
      await eventually(async () => expect(await restTerritoryIds(planId)).toEqual(["bow"]));
      expect(raw.refusals).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it("closes a socket that sends an undecodable message, with a reason", async () => {
    const { b, c, planId, done } = await planWithTwoClients();
    const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      raw.sendRaw(new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]));
      await eventually(() => expect(raw.closed).not.toBeNull());
      expect(raw.closed).toEqual({ code: CloseCode.malformed, reason: "Malformed sync message" });
      expect(raw.refusals[0]?.code).toBe("malformed");
      await stillServing(b, c, "After garbage");
    } finally {
      done();
    }
  });

  it("closes a socket that sends text frames", async () => {
    const planId = await createPlan(server);
    const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    raw.sendRaw("hello");
    await eventually(() => expect(raw.closed?.code).toBe(CloseCode.malformed));
  });

  it("closes a socket that sends a frame over the size limit", async () => {
    const { b, c, planId, done } = await planWithTwoClients();
    const raw = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      raw.sendRaw(new Uint8Array(MAX_FRAME_BYTES + 1));
      await eventually(() => expect(raw.closed?.code).toBe(CloseCode.tooBig));
      await stillServing(b, c, "After a huge frame");
      expect(await restTerritoryIds(planId)).toEqual(["good"]);
    } finally {
      done();
    }
  });

  it("refuses the upgrade for an unknown plan or a bad path with 404", async () => {
    await expect(RawClient.connect(`${server.wsUrl}/sync/nosuchplan`)).rejects.toMatchObject({ status: 404 });
    await expect(RawClient.connect(`${server.wsUrl}/sync/bad%20id`)).rejects.toMatchObject({ status: 404 });
    await expect(RawClient.connect(`${server.wsUrl}/elsewhere`)).rejects.toMatchObject({ status: 404 });
  });

  it("binds presence to the connection: nobody can overwrite someone else's", async () => {
    const planId = await createPlan(server);
    const alice = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    const mallory = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    const observer = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      alice.sendAwareness(1111, 1, { user: { name: "Alice" } });
      const aliceState = { user: { name: "Alice", id: "anon-edit", role: "edit" } };
      await eventually(() => expect(observer.awareness.get(1111)).toEqual(aliceState));
      mallory.sendAwareness(1111, 5, { user: { name: "Mallory posing as Alice" } });
      mallory.sendAwareness(1111, 6, null);
      mallory.sendAwareness(2222, 1, { user: { name: "Mallory", id: "someone-else", role: "edit" } });
      await eventually(() =>
        expect(observer.awareness.get(2222)).toEqual({ user: { name: "Mallory", id: "anon-edit", role: "edit" } }),
      );
      expect(observer.awareness.get(1111)).toEqual(aliceState);
      alice.close();
      await eventually(() => expect(observer.awareness.has(1111)).toBe(false));
    } finally {
      mallory.close();
      observer.close();
    }
  });
});

describe("bad input over REST", () => {
  let planId: string;
  beforeAll(async () => {
    planId = await createPlan(server);
  });

  async function post(body: unknown, path = `/api/plans/${planId}/territories`, method = "POST") {
    const res = await apiFetch(`${server.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error: string } };
  }

  const cases: [string, unknown, RegExp][] = [
    ["not JSON", "{nope", /not valid JSON/],
    ["not a Feature", { hello: 1 }, /Feature or FeatureCollection/],
    [
      "a LineString",
      {
        type: "Feature",
        geometry: {
          type: "LineString",
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
      },
      /Polygon or MultiPolygon/,
    ],
    [
      "an open ring",
      {
        type: "Feature",
        geometry: polygon(openRing([0, 0], [1, 0], [1, 1], [0, 1])),
      },
      /not closed/,
    ],
    ["a longitude of 200", { type: "Feature", geometry: square(200, 0) }, /longitude 200/],
    [
      "NaN as null",
      {
        type: "Feature",
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [0, 0],
              [null, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      },
      /finite number/,
    ],
    ["a numeric name", { type: "Feature", geometry: square(0, 0), properties: { name: 5 } }, /name must be text/],
    ["a bad colour", { type: "Feature", geometry: square(0, 0), properties: { color: "red" } }, /hex colour/],
    [
      "an unknown field",
      { type: "Feature", geometry: square(0, 0), properties: { nmae: "x" } },
      /unknown territory field/,
    ],
    [
      "one bad feature among good ones",
      {
        type: "FeatureCollection",
        features: [
          { type: "Feature", geometry: square(0, 0) },
          { type: "Feature", geometry: square(0, 100) },
        ],
      },
      /Feature 2: .*latitude/,
    ],
  ];
  for (const [what, body, message] of cases) {
    it(`answers 400 to ${what} and stores nothing`, async () => {
      const r = await post(body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(message);
      expect(await restTerritoryIds(planId)).toEqual([]);
    });
  }

  it("answers 413 to a body over the limit", async () => {
    const huge = JSON.stringify({
      type: "Feature",
      geometry: square(0, 0),
      properties: { name: "x".repeat(17 * 1024 * 1024) },
    });
    const r = await post(huge);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than/);
  });

  it("answers 404 to unknown plans and territories", async () => {
    expect((await post({ type: "Feature", geometry: square(0, 0) }, "/api/plans/nope/territories")).status).toBe(404);
    expect(
      (await post({ type: "Feature", properties: { name: "x" } }, `/api/plans/${planId}/territories/nope`, "PUT"))
        .status,
    ).toBe(404);
    const del = await apiFetch(`${server.url}/api/plans/${planId}/territories/nope`, { method: "DELETE" });
    expect(del.status).toBe(404);
    expect(((await del.json()) as { error: string }).error).toMatch(/no territory/);
    expect((await apiFetch(`${server.url}/api/nothing`)).status).toBe(404);
  });

  it("refuses a duplicate id", async () => {
    expect((await post({ type: "Feature", geometry: square(0, 0), properties: { id: "dup" } })).status).toBe(201);
    const r = await post({ type: "Feature", geometry: square(1, 0), properties: { id: "dup" } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/exists already/);
    await apiFetch(`${server.url}/api/plans/${planId}/territories/dup`, { method: "DELETE" });
  });
});
