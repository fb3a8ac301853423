import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { adoptChild, ROOT } from "./servers.ts";

/** What the attackers did so far (counters since they started). */
export interface FloodStats {
  /** Sockets opened (attempts) and those whose upgrade succeeded. */
  connects: number;
  opened: number;
  /** Messages handed to the sockets. */
  sent: number;
  /** Refusal frames (message 20) received, by refusal code. */
  refusals: Record<string, number>;
  /** Closes of opened sockets, by close code (4429: too many refusals). */
  closes: Record<string, number>;
  /** Upgrades the server refused, by HTTP status. */
  upgradeRefused: Record<string, number>;
  bytesReceived: number;
}

export type ToFlood =
  | { type: "start"; url: string; sockets: number; message: string; localAddress?: string; spread?: boolean }
  | { type: "stats" }
  | { type: "stop" };

type FromFlood = { type: "started" } | { type: "stats"; stats: FloodStats };

const CHILD = path.join(import.meta.dirname, "flood-child.ts");

/**
 * A flood of one prepared sync message from `sockets` sockets, run in a
 * child process (flood-child.ts) so the attackers' CPU stays out of the
 * bench process's timings. Each socket sends whenever its buffer is low and
 * reconnects whenever the server closes it.
 */
export class Flood {
  private waiting: ((msg: FromFlood) => void)[] = [];

  private constructor(private readonly proc: ChildProcess) {
    proc.on("message", (msg: FromFlood) => this.waiting.shift()?.(msg));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /**
   * `localAddress`: the attackers' source address. An attacker is someone
   * else: a loopback alias such as 127.0.0.2 keeps the server's per-address
   * limits on them from also counting the bench's own clients. `spread`:
   * every new socket from an address of its own (127.1.0.1, …), so no
   * per-address limit ever holds them back.
   */
  static async start(
    url: string,
    sockets: number,
    message: Uint8Array,
    source: { localAddress?: string; spread?: boolean } = {},
  ): Promise<Flood> {
    const proc = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    adoptChild(proc);
    const flood = new Flood(proc);
    await flood.ask({ type: "start", url, sockets, message: Buffer.from(message).toString("base64"), ...source });
    return flood;
  }

  private ask(msg: ToFlood): Promise<FromFlood> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the flood process did not answer "${msg.type}"`)), 30_000);
      this.waiting.push((answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.proc.send(msg);
    });
  }

  async stats(): Promise<FloodStats> {
    const answer = await this.ask({ type: "stats" });
    if (answer.type !== "stats") throw new Error(`unexpected answer ${answer.type}`);
    return answer.stats;
  }

  /** Closes every attacker and ends the process; the final counters. */
  async stop(): Promise<FloodStats> {
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) resolve();
      else this.proc.once("exit", () => resolve());
    });
    const last = await this.stats().catch(() => null);
    const final = await this.ask({ type: "stop" }).catch(() => null);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
    const stats = final?.type === "stats" ? final.stats : last;
    if (!stats) throw new Error("the flood process gave no counters");
    return stats;
  }
}

/** b − a, counter by counter. */
export function floodDelta(a: FloodStats, b: FloodStats): FloodStats {
  const sub = (x: Record<string, number>, y: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) out[k] = (y[k] ?? 0) - (x[k] ?? 0);
    return out;
  };
  return {
    connects: b.connects - a.connects,
    opened: b.opened - a.opened,
    sent: b.sent - a.sent,
    refusals: sub(a.refusals, b.refusals),
    closes: sub(a.closes, b.closes),
    upgradeRefused: sub(a.upgradeRefused, b.upgradeRefused),
    bytesReceived: b.bytesReceived - a.bytesReceived,
  };
}
