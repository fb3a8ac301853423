import { describe, expect, it } from "vitest";
import { DEFAULT_COMPACTNESS, parseProposalRequest, type RequestContext } from "./request.ts";

const ctx: RequestContext = {
  metrics: ["accounts", "areaKm2", "revenue", "population"],
  hasTerritory: (id) => ["bogor", "depok", "bekasi"].includes(id),
  hasUnit: (id) => id.startsWith("87"),
};

describe("parseProposalRequest", () => {
  it("fills in every default", () => {
    const r = parseProposalRequest({ metrics: { revenue: 1, accounts: 0.5 } }, ctx);
    expect(r).toEqual({
      ok: true,
      settings: {
        metrics: { revenue: 1, accounts: 0.5 },
        shares: {},
        contiguous: true,
        compactness: DEFAULT_COMPACTNESS,
        locked: [],
        lockedUnits: [],
        maxMoved: null,
        scope: null,
        seconds: 5,
        seed: 42,
      },
    });
  });

  it("takes a list of metric names as weight 1 each, and every option", () => {
    const r = parseProposalRequest(
      {
        metrics: ["revenue", "population"],
        shares: { bogor: 1.2 },
        contiguous: false,
        compactness: 0,
        locked: ["depok"],
        lockedUnits: ["871f1d489ffffff"],
        maxMoved: 0.1,
        scope: ["bogor"],
        seconds: 120,
        seed: 7,
      },
      ctx,
    );
    expect(r.ok && r.settings).toMatchObject({
      metrics: { revenue: 1, population: 1 },
      shares: { bogor: 1.2 },
      contiguous: false,
      compactness: 0,
      locked: ["depok"],
      lockedUnits: ["871f1d489ffffff"],
      maxMoved: 0.1,
      scope: ["bogor"],
      seconds: 120,
      seed: 7,
    });
  });

  it("names every unknown metric, territory and unit in one answer", () => {
    const r = parseProposalRequest(
      {
        metrics: { revenu: 1, revenue: 1 },
        shares: { jakarta: 2 },
        locked: ["bogor", "tangerang"],
        lockedUnits: ["x1"],
      },
      ctx,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.unknown).toEqual({ metrics: ["revenu"], territories: ["jakarta", "tangerang"], units: ["x1"] });
    expect(r.message).toContain('no metric "revenu" (it has accounts, areaKm2, revenue, population)');
    expect(r.message).toContain('no territory "jakarta", "tangerang"');
    expect(r.message).toContain('no unit "x1"');
  });

  it.each([
    [null, "JSON object"],
    [{}, "Say what to balance"],
    [{ metrics: { revenue: 0 } }, "at least one metric"],
    [{ metrics: { revenue: -1 } }, "0 or more"],
    [{ metrics: ["revenue"], seconds: 0.5 }, '"seconds" must be a number from 1 to 120'],
    [{ metrics: ["revenue"], seconds: 121 }, '"seconds"'],
    [{ metrics: ["revenue"], compactness: 2 }, '"compactness"'],
    [{ metrics: ["revenue"], maxMoved: -0.1 }, '"maxMoved"'],
    [{ metrics: ["revenue"], seed: 1.5 }, '"seed"'],
    [{ metrics: ["revenue"], shares: { bogor: 0 } }, "above 0"],
    [{ metrics: ["revenue"], scope: [] }, '"scope"'],
    [{ metrics: ["revenue"], contiguous: "yes" }, '"contiguous"'],
    [{ metrics: ["revenue"], speed: 3 }, 'Unknown field "speed"'],
  ])("refuses %j with a sentence", (body, words) => {
    const r = parseProposalRequest(body, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(words);
  });
});
