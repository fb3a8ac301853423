import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readTerritories } from "../../shared/doc/schema.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import { Analyzer } from "../../shared/scoring/analyzer.ts";
import { demoTemplate } from "./seed.ts";

describe("the demo template", () => {
  it("gives every territory a revenue target, some behind, some on track, some achieved", async () => {
    const t = await demoTemplate();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, t.update);
    const territories = readTerritories(doc);
    expect(territories.every((x) => (x.targets.revenue ?? 0) > 0)).toBe(true);
    const analyzer = new Analyzer(new AccountIndex(t.accounts));
    for (const x of territories) analyzer.setTerritory(x);
    const actual = new Map(analyzer.analyze().territories.map((m) => [m.id, m.sums.revenue ?? 0]));
    const ratios = territories.map((x) => (actual.get(x.id) ?? 0) / (x.targets.revenue as number));
    expect(ratios.some((r) => r < 0.95)).toBe(true);
    expect(ratios.some((r) => r >= 1)).toBe(true);
  });
});
