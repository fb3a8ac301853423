/**
 * Storage growth: what 10,000 reshapes of one ~200-vertex territory cost on
 * disk (plan.json snapshot + update logs) during the session, after the
 * room unloads (compaction) and after a restart; against the territory's
 * GeoJSON size, and against a naive vertex-array schema in memory.
 */
import fs from "node:fs/promises";
import path from "node:path";
import * as Y from "yjs";
import { readTerritory, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import { encodeGeometry } from "../../shared/geometry/codec.ts";
import { benchTerritory, blobRing, dragStep, type Pos, polygon } from "./lib/geometry.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, fmtBytes, waitFor } from "./lib/report.ts";
import { api, createPlan, dirSize, planSyncUrl, type RunningServer, startOurServer, tempDir } from "./lib/servers.ts";
import { captureEdit, SyncSocket, updateMessage } from "./lib/sync-socket.ts";

const TERRITORY_ID = "dragged";
const CENTER: Pos = [110.4, -7.0];
const RING_SEED = 11;
const ROOM_IDLE_MS = 300;

interface Sample {
  phase: string;
  edits: number;
  bytes: number;
  files: string;
  /** Seconds since the first edit. */
  at: number;
}

async function roomsLoaded(server: RunningServer): Promise<number> {
  const res = await fetch(`${server.url}/api/health`);
  return ((await res.json()) as { rooms: number }).rooms;
}

function describeFiles(files: { name: string; bytes: number }[]): string {
  return files
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => `${f.name} ${fmtBytes(f.bytes)}`)
    .join(", ");
}

/** The same drag, in memory only: our schema and a naive Y.Array of [lon, lat]. */
function inProcess(edits: number): { ours: number; oursWire: number; naive: number; naiveWire: number } {
  const ring = blobRing(CENTER, 0.3, 200, RING_SEED);
  const ours = new Y.Doc();
  let oursWire = 0;
  ours.on("update", (u: Uint8Array) => {
    oursWire += u.length;
  });
  ours.transact(() => writeTerritory(ours, benchTerritory(TERRITORY_ID, "Dragged", "#7570b3", polygon(ring))));
  const oursRing = ring.map((p) => [...p] as Pos);
  for (let i = 0; i < edits; i++)
    ours.transact(() => updateTerritory(ours, TERRITORY_ID, { geometry: dragStep(oursRing, i) }));

  // Naive: the ring as a Y.Array of [lon, lat]; a drag step deletes the vertex and inserts its new position.
  const naive = new Y.Doc();
  let naiveWire = 0;
  naive.on("update", (u: Uint8Array) => {
    naiveWire += u.length;
  });
  const arr = naive.getArray<[number, number]>("ring");
  const naiveRing = ring.map((p) => [...p] as Pos);
  arr.insert(
    0,
    naiveRing.map((p) => [p[0], p[1]] as [number, number]),
  );
  for (let i = 0; i < edits; i++) {
    const n = naiveRing.length - 1;
    const k = Math.floor(i / 100) % n;
    dragStep(naiveRing, i);
    const v = naiveRing[k] as Pos;
    naive.transact(() => {
      arr.delete(k, 1);
      arr.insert(k, [[v[0], v[1]]]);
      if (k === 0) {
        arr.delete(n, 1);
        arr.insert(n, [[v[0], v[1]]]);
      }
    });
  }
  return { ours: Y.encodeStateAsUpdate(ours).length, oursWire, naive: Y.encodeStateAsUpdate(naive).length, naiveWire };
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const total = ctx.quick ? 1_000 : 10_000;
  const every = ctx.quick ? 250 : 1_000;
  const window = 32;
  const dataDir = await tempDir("storage");
  let server = await startOurServer({
    dataDir,
    env: { ROOM_IDLE_MS: String(ROOM_IDLE_MS) },
    profileDir: ctx.profileDir,
  });
  const sockets: SyncSocket[] = [];
  const samples: Sample[] = [];
  try {
    const plan = await createPlan(server, "Storage growth bench");
    const planDir = path.join(dataDir, "plans", plan.id);
    const url = planSyncUrl(server, plan);
    const doc = new Y.Doc();
    const writer = await SyncSocket.connect(url, doc);
    writer.record = false;
    const observer = await SyncSocket.connect(url);
    observer.record = false;
    sockets.push(writer, observer);
    let confirmed = 0;
    let onConfirm: (() => void) | null = null;
    observer.onUpdate = () => {
      confirmed++;
      onConfirm?.();
    };
    const sample = async (phase: string, edits: number, t0: number) => {
      const size = await dirSize(planDir);
      samples.push({
        phase,
        edits,
        bytes: size.bytes,
        files: describeFiles(size.files),
        at: (performance.now() - t0) / 1000,
      });
    };

    const ring = blobRing(CENTER, 0.3, 200, RING_SEED);
    const created = captureEdit(doc, () =>
      writeTerritory(doc, benchTerritory(TERRITORY_ID, "Dragged", "#7570b3", polygon(ring))),
    );
    if (!created) throw new Error("creating the territory made no update");
    writer.send(updateMessage(created.update));
    await waitFor("the territory at the observer", () => confirmed >= 1);
    const t0 = performance.now();
    await sample("created", 0, t0);

    let sent = 0;
    let wireBytes = 0;
    // Sends edits [sent, upTo) keeping at most `window` unconfirmed; resolves when all are relayed (so on disk).
    const sendUpTo = (upTo: number) =>
      new Promise<void>((resolve) => {
        const pump = () => {
          while (sent < upTo && sent - (confirmed - 1) < window) {
            const edit = captureEdit(doc, () => updateTerritory(doc, TERRITORY_ID, { geometry: dragStep(ring, sent) }));
            if (!edit) throw new Error(`edit ${sent} made no update`);
            const msg = updateMessage(edit.update);
            wireBytes += msg.length;
            writer.send(msg);
            sent++;
          }
          if (confirmed - 1 >= upTo) {
            onConfirm = null;
            resolve();
          }
        };
        onConfirm = pump;
        pump();
      });
    for (let upTo = every; upTo <= total; upTo += every) {
      await sendUpTo(upTo);
      await sample("during", upTo, t0);
    }
    const editSeconds = (performance.now() - t0) / 1000;
    if (writer.refusals.length) throw new Error(`the server refused edits: ${writer.refusals[0]}`);
    const finalGeometry = readTerritory(doc, TERRITORY_ID)?.geometry;
    if (!finalGeometry) throw new Error("the writer lost its territory");
    const finalFeatureBytes = Buffer.byteLength(
      JSON.stringify({
        type: "Feature",
        id: TERRITORY_ID,
        geometry: finalGeometry,
        properties: { name: "Dragged", color: "#7570b3" },
      }),
    );

    for (const s of sockets) s.close();
    await waitFor("the room to unload", async () => (await roomsLoaded(server)) === 0, 30_000, 50);
    await sample("room unloaded (compacted)", total, t0);

    await server.stop();
    await sample("server stopped", total, t0);
    server = await startOurServer({ dataDir, env: { ROOM_IDLE_MS: String(ROOM_IDLE_MS) }, profileDir: ctx.profileDir });
    const l0 = performance.now();
    const res = await api(server, plan, `/api/plans/${plan.id}/territories/${TERRITORY_ID}`);
    const loadMs = performance.now() - l0;
    if (res.status !== 200) throw new Error(`reading the territory after restart: ${res.status} ${await res.text()}`);
    const after = (await res.json()) as { geometry: Parameters<typeof encodeGeometry>[0] };
    const intact =
      Buffer.compare(Buffer.from(encodeGeometry(after.geometry)), Buffer.from(encodeGeometry(finalGeometry))) === 0;
    await waitFor("the room to unload after restart", async () => (await roomsLoaded(server)) === 0, 30_000, 50);
    await sample("after restart + load + unload", total, t0);

    const mem = inProcess(total);
    const final = samples[samples.length - 1] as Sample;
    const peak = samples.reduce((m, s) => Math.max(m, s.bytes), 0);

    return {
      name: "storage",
      title: `Storage growth: ${total.toLocaleString("en-US")} reshapes of one territory`,
      description: `One client drags the vertices of one ~200-vertex territory (${total.toLocaleString("en-US")} edits, each moving one vertex ≈ 10 m, the next vertex every 100 edits) through our server, at most ${window} edits unconfirmed. Size = every file under DATA_DIR/plans/<id> (plan.json with the base64 snapshot, and <doc>.<gen>.log). Default compaction (COMPACT_LOG_BYTES 1 MiB, wait 2 s, max wait 15 s), ROOM_IDLE_MS=${ROOM_IDLE_MS}.`,
      tables: [
        {
          title: "On disk",
          columns: ["phase", "edits", "bytes on disk", "× GeoJSON", "files", "t (s)"],
          rows: samples.map((s) => [
            s.phase,
            s.edits,
            fmtBytes(s.bytes),
            `${fmt(s.bytes / finalFeatureBytes)}×`,
            s.files,
            fmt(s.at, 1),
          ]),
        },
        {
          title: `In memory after ${total.toLocaleString("en-US")} edits (Y.encodeStateAsUpdate, no server)`,
          columns: ["schema", "document size", "× GeoJSON", "bytes sent per edit (mean)"],
          rows: [
            [
              "ours: geometry as one binary value per territory",
              fmtBytes(mem.ours),
              `${fmt(mem.ours / finalFeatureBytes)}×`,
              fmt(mem.oursWire / total, 0),
            ],
            [
              "naive: Y.Array of [lon, lat], delete + insert per drag step",
              fmtBytes(mem.naive),
              `${fmt(mem.naive / finalFeatureBytes)}×`,
              fmt(mem.naiveWire / total, 0),
            ],
          ],
        },
      ],
      notes: [
        `The territory as GeoJSON (JSON.stringify of the Feature, coordinates as stored, i.e. to 1e-7°): ${fmtBytes(finalFeatureBytes)}.`,
        `Final on disk after restart: ${fmtBytes(final.bytes)} = ${fmt(final.bytes / finalFeatureBytes)}× the GeoJSON; peak during the session ${fmtBytes(peak)} (the update log before compaction).`,
        `Edits took ${fmt(editSeconds, 1)} s (${fmt(total / editSeconds)} edits/s, ${fmt(wireBytes / total, 0)} B per update message); after restart the first REST read (loading the room) took ${fmt(loadMs)} ms and the territory was ${intact ? "exactly as last written" : "**different from what was last written**"}.`,
      ],
      data: { total, every, samples, finalFeatureBytes, editSeconds, loadMs, intact, inMemory: mem },
    };
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

export const storageGrowth: Benchmark = { name: "storage", title: "Storage growth", run };
