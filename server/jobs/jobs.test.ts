import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { box } from "../../tests/fixtures/shapes.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import { JobRefused, Jobs } from "./jobs.ts";

const jobs = new Jobs();
afterAll(() => jobs.close());

describe("the jobs worker", () => {
  it("builds an H3 layer off the event loop, with the sea left out and progress reported", async () => {
    // Jakarta's coast: the northern part of this box is the Java Sea.
    const areas = [box(106.7, -6.25, 106.9, -5.95)];
    const progress: number[] = [];
    const dry = await jobs.run("h3-layer", {
      areas,
      resolution: 7,
      keep: new Float64Array(),
      version: 1,
      dryRun: true,
    });
    const all = await jobs.run(
      "h3-layer",
      { areas, resolution: 7, keep: new Float64Array(), version: 1, dryRun: false },
      { onProgress: (p) => progress.push(p) },
    );
    expect(all.count).toBe(dry.count);
    expect(dry.layer).toBeNull();
    const layer = layerFromJson(all.layer as never);
    expect(layer.ids).toHaveLength(all.count);
    // The box holds about 130 cells at resolution 7; the sea takes a good part of them.
    expect(all.count).toBeGreaterThan(30);
    expect(all.count).toBeLessThan(120);
    expect(progress.length).toBeGreaterThan(0);
  });

  it("reads admin areas, and refuses what a person must change with their sentence", async () => {
    const text = fs.readFileSync(
      path.resolve(import.meta.dirname, "../../tests/fixtures/units/kecamatan-slivers.geojson"),
      "utf8",
    );
    const r = await jobs.run("admin-layer", { text, version: 2, dryRun: false });
    expect(r).toMatchObject({ total: 11, count: 10, problemCount: 1, idKey: "KDCPUM" });
    expect(layerFromJson(r.layer as never).ids[0]).toBe("32.01.010");
    await expect(jobs.run("admin-layer", { text: "{nope", version: 1, dryRun: true })).rejects.toThrow(JobRefused);
    await expect(
      jobs.run("h3-layer", {
        areas: [box(95, -11, 141, 6)],
        resolution: 8,
        keep: new Float64Array(),
        version: 1,
        dryRun: true,
      }),
    ).rejects.toThrow(/coarser resolution/);
  });
});
