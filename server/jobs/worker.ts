import { parentPort } from "node:worker_threads";
import { TerritoryFileError } from "../../shared/territories/import.ts";
import { adminLayer, parseAdminUnits } from "../../shared/units/admin.ts";
import { CoverError, coverH3, h3Layer, landMask } from "../../shared/units/h3-layer.ts";
import { layerToJson } from "../../shared/units/serialize.ts";
import type { Position } from "../../shared/geometry/types.ts";
import { buildDemoTemplate } from "../demo/seed.ts";
import { naturalEarthLand } from "../units/land.ts";
import { compareSides, viewVersion } from "../versions/jobs.ts";
import { forkUpdate } from "../../shared/scenarios/fork.ts";
import { parseContent } from "../../shared/versions/content.ts";
import type { JobKind, JobReply, JobRequest, JobTypes } from "./protocol.ts";

/**
 * The jobs worker: one job at a time, in order. Errors a person caused (an
 * area too large for the resolution, a file that is not GeoJSON) come back
 * as `userError` with their sentence; anything else is a server failure.
 */
type Handler<K extends JobKind> = (
  input: JobTypes[K]["input"],
  progress: (p: number) => void,
) => Promise<JobTypes[K]["output"]>;

const handlers: { [K in JobKind]: Handler<K> } = {
  async "h3-layer"(input, progress) {
    const bbox: [number, number, number, number] = [180, 90, -180, -90];
    for (const g of input.areas) {
      const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      for (const poly of polys) {
        for (const [x, y] of poly[0] ?? []) {
          bbox[0] = Math.min(bbox[0], x);
          bbox[1] = Math.min(bbox[1], y);
          bbox[2] = Math.max(bbox[2], x);
          bbox[3] = Math.max(bbox[3], y);
        }
      }
    }
    const land = landMask(await naturalEarthLand(), bbox);
    progress(0.2);
    const keep: Position[] = [];
    for (let i = 0; i + 1 < input.keep.length; i += 2)
      keep.push([input.keep[i] as number, input.keep[i + 1] as number]);
    const ids = coverH3({ areas: input.areas, resolution: input.resolution, land, keep });
    progress(0.5);
    if (input.dryRun) return { count: ids.length, layer: null };
    const layer = h3Layer(ids, input.resolution, input.version);
    progress(0.95);
    return { count: ids.length, layer: layerToJson(layer) };
  },

  async "admin-layer"(input, progress) {
    let body: unknown;
    try {
      body = JSON.parse(input.text);
    } catch (e) {
      throw new TerritoryFileError(`The file is not valid GeoJSON: ${(e as Error).message}`);
    }
    const parsed = parseAdminUnits(body);
    progress(0.3);
    const base = {
      total: parsed.total,
      count: parsed.units.length,
      problems: parsed.problems,
      problemCount: parsed.problemCount,
      attributes: parsed.attributes,
      idKey: parsed.idKey,
      nameKey: parsed.nameKey,
    };
    if (input.dryRun || parsed.units.length === 0) return { ...base, layer: null };
    const layer = adminLayer(parsed.units, input.version);
    progress(0.95);
    return { ...base, layer: layerToJson(layer) };
  },

  async demo() {
    return buildDemoTemplate(await naturalEarthLand());
  },

  async "version-view"(input) {
    return viewVersion(input);
  },

  async "version-compare"(input) {
    return compareSides(input.from, input.to);
  },

  async "scenario-fork"(input) {
    return forkUpdate(parseContent(JSON.parse(input.content)), input.name);
  },
};

parentPort?.on("message", async (req: JobRequest) => {
  const reply = (r: JobReply) => parentPort?.postMessage(r);
  try {
    const handler = handlers[req.kind] as Handler<JobKind>;
    if (!handler) throw new Error(`unknown job ${req.kind}`);
    const output = await handler(req.input, (progress) => reply({ id: req.id, type: "progress", progress }));
    reply({ id: req.id, type: "done", output });
  } catch (e) {
    const userError = e instanceof CoverError || e instanceof TerritoryFileError;
    reply({ id: req.id, type: "failed", message: (e as Error).message, userError });
  }
});
