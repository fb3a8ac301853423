import fs from "node:fs/promises";
import { writeAccountsVersion, writeTerritory } from "../../shared/doc/schema.ts";
import { validateNewTerritory } from "../../shared/doc/territory.ts";
import { newAccess } from "../access/tokens.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { Rooms } from "../rooms/rooms.ts";
import { demoAccounts, type Place } from "./accounts.ts";

export const DEMO_PLAN_ID = "demo";
const DEMO_FILE = new URL("./java-territories.geojson", import.meta.url);
const PLACES_FILE = new URL("./java-cities.json", import.meta.url);

/**
 * Creates the demo plan (territories on Java and 6,000 demo accounts around
 * real towns, see server/demo/README.md) the
 * first time the server starts with an empty DATA_DIR. An existing demo plan
 * is left alone: people may have edited it.
 */
export async function seedDemoPlan(store: PlanStore, rooms: Rooms): Promise<void> {
  const existing = await store.getPlan(DEMO_PLAN_ID);
  if (existing) {
    // A demo seeded before share links existed: give it public links.
    if (!existing.publicTokens) {
      const { access, tokens } = newAccess();
      await store.updatePlan(DEMO_PLAN_ID, (m) => ({ ...m, access, publicTokens: tokens }));
    }
    return;
  }
  const data = JSON.parse(await fs.readFile(DEMO_FILE, "utf8")) as {
    features: { id?: string; geometry: unknown; properties: Record<string, unknown> }[];
  };
  const territories = data.features.map((f, i) => {
    const { id, ...props } = f.properties;
    const t = validateNewTerritory(String(id ?? f.id ?? `t${i + 1}`), f.geometry, props, i);
    if (!t.ok) throw new Error(`demo territory ${i + 1}: ${t.error}`);
    return t.value;
  });
  const places = JSON.parse(await fs.readFile(PLACES_FILE, "utf8")) as Place[];
  const accounts = demoAccounts(
    places,
    territories.map((t) => t.geometry),
  );
  const now = new Date().toISOString();
  // The demo is public by intent: its tokens are kept readable for GET /api/demo.
  const { access, tokens } = newAccess();
  await store.createPlan({
    id: DEMO_PLAN_ID,
    name: "Demo: Java sales territories",
    createdAt: now,
    access,
    publicTokens: tokens,
  });
  await store.putAccounts(DEMO_PLAN_ID, { version: 1, importedAt: now, accounts });
  await rooms.with({ planId: DEMO_PLAN_ID, part: "" }, (room) =>
    room.change({ kind: "system", reason: "demo plan" }, (doc) => {
      for (const t of territories) writeTerritory(doc, t);
      writeAccountsVersion(doc, 1);
    }),
  );
}
