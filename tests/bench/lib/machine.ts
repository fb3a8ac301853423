import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { percentile } from "./report.ts";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
  /** 1-minute load average when the run started: other work on the box skews p99. */
  loadAverage: number;
  /** Filesystem of the temp folder the DATA_DIRs live in, and what an fdatasync costs there. */
  tmpFs: string;
  fdatasyncP50Ms: number;
  fdatasyncP99Ms: number;
}

function cpuModel(): string {
  try {
    return (
      execFileSync("sh", ["-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-"], { encoding: "utf8" }).trim() ||
      os.cpus()[0]?.model ||
      "unknown"
    );
  } catch {
    return os.cpus()[0]?.model ?? "unknown";
  }
}

function fsType(dir: string): string {
  try {
    return execFileSync("df", ["-T", dir], { encoding: "utf8" }).trim().split("\n")[1]?.split(/\s+/)[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Cost of the durable path's floor: append 1 KiB and fdatasync, 100 times. */
export async function fdatasyncCost(): Promise<number[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-bench-fsync-"));
  const fh = await fs.open(path.join(dir, "probe.log"), "a");
  const buf = Buffer.alloc(1024, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await fh.write(buf);
      await fh.datasync();
      times.push(performance.now() - t0);
    }
  } finally {
    await fh.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return times;
}

export async function describeMachine(): Promise<Machine> {
  const fsync = await fdatasyncCost();
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    loadAverage: os.loadavg()[0] ?? 0,
    tmpFs: fsType(os.tmpdir()),
    fdatasyncP50Ms: percentile(fsync, 50),
    fdatasyncP99Ms: percentile(fsync, 99),
  };
}

export function machineMarkdown(m: Machine): string {
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `- Node ${m.node} on ${m.os}`,
    `- Date: ${m.date}; load average at start: ${m.loadAverage.toFixed(2)}`,
    `- Temp DATA_DIRs on ${m.tmpFs}: 1 KiB append + fdatasync p50 ${m.fdatasyncP50Ms.toFixed(2)} ms, p99 ${m.fdatasyncP99Ms.toFixed(2)} ms`,
  ].join("\n");
}
