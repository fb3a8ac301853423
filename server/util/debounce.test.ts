import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { log } from "../ops/log.ts";
import { Debouncer } from "./debounce.ts";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2027-01-01T00:00:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A Debouncer whose fn records the fake time of each call and resolves at once. */
function recording(waitMs: number, maxWaitMs: number) {
  const calls: number[] = [];
  const start = Date.now();
  const d = new Debouncer(
    async () => {
      calls.push(Date.now() - start);
    },
    waitMs,
    maxWaitMs,
  );
  return { d, calls };
}

describe("Debouncer", () => {
  it("runs once, waitMs after a single trigger", async () => {
    const { d, calls } = recording(100, 1000);
    d.trigger();
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([100]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual([100]);
  });

  it("restarts the wait on each trigger while things stay busy", async () => {
    const { d, calls } = recording(100, 1000);
    d.trigger();
    await vi.advanceTimersByTimeAsync(60);
    d.trigger();
    await vi.advanceTimersByTimeAsync(60);
    d.trigger();
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([220]);
  });

  it("runs no later than maxWaitMs after the first trigger, however busy", async () => {
    const { d, calls } = recording(100, 250);
    for (let t = 0; t < 1000; t += 50) {
      d.trigger();
      await vi.advanceTimersByTimeAsync(50);
    }
    // Triggers every 50 ms never leave 100 ms of quiet: each window of 250 ms ends in a run.
    expect(calls).toEqual([250, 500, 750, 1000]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([250, 500, 750, 1000]);
  });

  it("runs at once when maxWaitMs has already passed", async () => {
    const { d, calls } = recording(100, 0);
    d.trigger();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([0]);
  });

  it("never runs two at once, and runs again after a trigger that came while running", async () => {
    let running = 0;
    let maxRunning = 0;
    const finishers: (() => void)[] = [];
    const d = new Debouncer(
      () =>
        new Promise<void>((resolve) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          finishers.push(() => {
            running--;
            resolve();
          });
        }),
      10,
      100,
    );
    d.trigger();
    await vi.advanceTimersByTimeAsync(10);
    expect(finishers).toHaveLength(1);
    // Triggered while the first run is still going: its timer fires but must not start a second run.
    d.trigger();
    await vi.advanceTimersByTimeAsync(50);
    expect(finishers).toHaveLength(1);
    expect(maxRunning).toBe(1);
    // Once the first run ends, another follows after the wait.
    finishers[0]?.();
    await vi.advanceTimersByTimeAsync(9);
    expect(finishers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(finishers).toHaveLength(2);
    finishers[1]?.();
    await vi.advanceTimersByTimeAsync(1000);
    expect(finishers).toHaveLength(2);
    expect(maxRunning).toBe(1);
  });

  it("cancel drops a pending run", async () => {
    const { d, calls } = recording(100, 1000);
    d.trigger();
    await vi.advanceTimersByTimeAsync(50);
    d.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual([]);
    // And it can be triggered again afterwards, with a fresh maxWait window.
    d.trigger();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([5150]);
  });

  it("logs a failing run and keeps working", async () => {
    const errors = vi.spyOn(log, "error").mockImplementation(() => {});
    let n = 0;
    const d = new Debouncer(
      async () => {
        n++;
        if (n === 1) throw new Error("disk full");
      },
      10,
      100,
    );
    d.trigger();
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toHaveBeenCalledWith(
      { component: "debounce", err: expect.objectContaining({ message: "disk full" }) },
      "a debounced task failed",
    );
    d.trigger();
    await vi.advanceTimersByTimeAsync(10);
    expect(n).toBe(2);
  });

  it("does not keep the process alive", () => {
    const { d } = recording(100, 1000);
    const unref = vi.fn();
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const t = realSetTimeout(fn, ms);
      const realUnref = t.unref.bind(t);
      t.unref = () => {
        unref();
        return realUnref();
      };
      return t;
    }) as typeof setTimeout);
    d.trigger();
    expect(unref).toHaveBeenCalledTimes(1);
    d.cancel();
  });
});
