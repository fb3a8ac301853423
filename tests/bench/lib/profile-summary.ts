/**
 * Summarises a `node --cpu-prof` profile (BENCH_PROFILE=1 writes them to
 * tests/bench/profiles/): self and inclusive time per function, and self
 * time per package/file, so "where does the server's time go" is one
 * command:
 *
 *   npx tsx tests/bench/lib/profile-summary.ts tests/bench/profiles/CPU.….cpuprofile [top]
 *
 * Only samples after the first `--skip-ms` (default 0) count, to leave out start-up.
 */
import fs from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const m = /\/work\/main\/(.*)$/.exec(url) ?? /file:\/\/(.*)$/.exec(url);
  return m ? (m[1] as string) : url || "(native)";
}

export async function summarise(file: string, top = 30, skipMs = 0): Promise<string> {
  const p = JSON.parse(await fs.readFile(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < skipMs) continue;
    const id = p.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  const fnSelf = new Map<string, number>();
  const fnIncl = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id) as ProfileNode;
    const key = `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + ms);
    const f = n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName;
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + ms);
    // Inclusive: every distinct function on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur) as ProfileNode;
      const k = `${c.callFrame.functionName || "(anonymous)"} ${where(c.callFrame.url)}:${c.callFrame.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      fnIncl.set(k, (fnIncl.get(k) ?? 0) + ms);
    }
  }
  const busy = total - (fileSelf.get("(idle)") ?? 0);
  const rows = (m: Map<string, number>, base: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => `${ms.toFixed(1).padStart(9)} ms ${((ms / base) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return [
    `${file}: ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms not idle`,
    "\nself time by file/package (% of non-idle):",
    rows(fileSelf, busy),
    "\nself time by function:",
    rows(fnSelf, busy),
    "\ninclusive time by function:",
    rows(fnIncl, busy),
  ].join("\n");
}

if (process.argv[1] && import.meta.filename === (await fs.realpath(process.argv[1]).catch(() => ""))) {
  const [file, top, skip] = process.argv.slice(2);
  if (!file) {
    console.error("usage: tsx tests/bench/lib/profile-summary.ts <file.cpuprofile> [top=30] [skipMs=0]");
    process.exit(2);
  }
  console.log(await summarise(file, Number(top ?? 30), Number(skip ?? 0)));
}
