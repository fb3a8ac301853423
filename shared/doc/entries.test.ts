import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { box } from "../../tests/fixtures/shapes.ts";
import { encodeGeometry } from "../geometry/codec.ts";
import { decodeValue, encodeValue, readEntry, writeEntry } from "./entries.ts";
import { readAllowedDeviation, readTerritory, territoriesMap, writeTerritory } from "./schema.ts";

function plan(): Y.Doc {
  const doc = new Y.Doc();
  writeTerritory(doc, {
    id: "west",
    name: "West",
    color: "#1b9e77",
    reps: [],
    targets: {},
    parent: null,
    geometry: box(106, -7, 107, -6),
  });
  return doc;
}

describe("entries", () => {
  it("encodes bytes as base64 and other values as JSON, and back", () => {
    const bytes = encodeGeometry(box(0, 0, 1, 1));
    expect(decodeValue(encodeValue(bytes))).toEqual(bytes);
    expect(decodeValue(encodeValue({ revenue: 5 }))).toEqual({ revenue: 5 });
    expect(encodeValue("x")).toBe('j"x"');
  });

  it("reads and writes a territory's fields, creating the territory and removing it once it has none", () => {
    const doc = plan();
    const at = { map: "territories" as const, key: "west", field: "name" };
    expect(readEntry(doc, at)).toBe('j"West"');
    doc.transact(() => writeEntry(doc, at, encodeValue("Barat")));
    expect(readTerritory(doc, "west")?.name).toBe("Barat");
    const fields = [...(territoriesMap(doc).get("west")?.keys() ?? [])];
    doc.transact(() => {
      for (const field of fields) writeEntry(doc, { map: "territories", key: "west", field }, null);
    });
    expect(territoriesMap(doc).has("west")).toBe(false);
    doc.transact(() => writeEntry(doc, { map: "territories", key: "new", field: "name" }, encodeValue("New")));
    expect(readEntry(doc, { map: "territories", key: "new", field: "name" })).toBe('j"New"');
  });

  it("reads and writes units, pins and plan settings", () => {
    const doc = plan();
    doc.transact(() => {
      writeEntry(doc, { map: "units", key: "1a" }, "west");
      writeEntry(doc, { map: "pins", key: "a1" }, "west");
      writeEntry(doc, { map: "plan", key: "allowedDeviation" }, encodeValue(0.1));
    });
    expect(readEntry(doc, { map: "units", key: "1a" })).toBe("west");
    expect(readEntry(doc, { map: "pins", key: "a1" })).toBe("west");
    expect(readAllowedDeviation(doc)).toBe(0.1);
    doc.transact(() => writeEntry(doc, { map: "plan", key: "allowedDeviation" }, null));
    expect(readEntry(doc, { map: "plan", key: "allowedDeviation" })).toBeNull();
  });
});
