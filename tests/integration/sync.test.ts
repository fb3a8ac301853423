import { describe, expect, it } from "vitest";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readTerritories, readTerritory, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import { square } from "../fixtures/shapes.ts";
import { connectStockClient, createPlan, eventually, apiFetch, useServer } from "./harness.ts";

const server = useServer();

describe("sync with the stock y-websocket client", () => {
  it("two clients converge on each other's edits", async () => {
    const planId = await createPlan(server);
    const a = connectStockClient(server, planId);
    const b = connectStockClient(server, planId);
    try {
      transact(a.doc, LOCAL_EDIT, () =>
        writeTerritory(a.doc, {
          id: "north",
          name: "North",
          color: "#1b9e77",
          reps: [],
          targets: {},
          parent: null,
          geometry: square(106, -6.5),
        }),
      );
      await eventually(() => expect(readTerritory(b.doc, "north")?.name).toBe("North"));
      transact(b.doc, LOCAL_EDIT, () => updateTerritory(b.doc, "north", { name: "North Java" }));
      await eventually(() => expect(readTerritory(a.doc, "north")?.name).toBe("North Java"));
      // And the server's own view, through the API:
      const fc = await (await apiFetch(`${server.url}/api/plans/${planId}/territories`)).json();
      expect(fc.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(["North Java"]);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it("a REST edit reaches a connected client live", async () => {
    const planId = await createPlan(server);
    const a = connectStockClient(server, planId);
    try {
      await eventually(() => expect(a.provider.synced).toBe(true));
      const res = await apiFetch(`${server.url}/api/plans/${planId}/territories`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "Feature", geometry: square(110, -7), properties: { id: "east", name: "East" } }),
      });
      expect(res.status).toBe(201);
      await eventually(() => expect(readTerritory(a.doc, "east")?.name).toBe("East"));
      const put = await apiFetch(`${server.url}/api/plans/${planId}/territories/east`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "Feature", properties: { color: "#123456" } }),
      });
      expect(put.status).toBe(200);
      await eventually(() => expect(readTerritory(a.doc, "east")?.color).toBe("#123456"));
      const del = await apiFetch(`${server.url}/api/plans/${planId}/territories/east`, { method: "DELETE" });
      expect(del.status).toBe(204);
      await eventually(() => expect(readTerritories(a.doc)).toEqual([]));
    } finally {
      a.destroy();
    }
  });
});
