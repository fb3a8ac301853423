import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { grid } from "../../shared/balance/testing.ts";
import { BalanceRunner } from "./runner.ts";

/** This process's threads whose nice value is `nice`. */
function threadsAt(nice: number): number[] {
  return fs.readdirSync("/proc/self/task").flatMap((tid) => {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16] === String(nice) ? [Number(tid)] : [];
  });
}

function hasChrt(): boolean {
  try {
    execFileSync("chrt", ["--help"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("the balance worker's priority", () => {
  it.runIf(fs.existsSync("/proc/thread-self"))(
    "is the lowest there is (nice 19, SCHED_IDLE with chrt) on its own thread only",
    async () => {
      expect(threadsAt(19)).toEqual([]);
      const runner = new BalanceRunner(1);
      try {
        const run = runner.start(
          {
            graph: grid(4, 4),
            start: Int32Array.from({ length: 16 }, (_, u) => (u % 4 < 2 ? 0 : 1)),
            territories: 2,
            metrics: [{ name: "accounts", weight: 1, values: new Float64Array(16).fill(1) }],
            steps: 10_000,
          },
          () => {},
        );
        await run.result;
        const low = threadsAt(19);
        expect(low).toHaveLength(1);
        // The test's own thread, like the server's event loop, keeps its priority.
        const own = fs.readFileSync("/proc/thread-self/stat", "utf8");
        expect(own.slice(own.lastIndexOf(")") + 2).split(" ")[16]).toBe("0");
        if (hasChrt()) {
          expect(execFileSync("chrt", ["--pid", String(low[0])], { encoding: "utf8" })).toMatch(/SCHED_IDLE/);
        }
      } finally {
        await runner.close();
      }
    },
  );
});
