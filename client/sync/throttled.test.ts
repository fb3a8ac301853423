import { afterEach, describe, expect, it, vi } from "vitest";
import { Throttled } from "./throttled.ts";

/** A Throttled of 50 ms on fake timers, on a page open for a while, and what it sent. */
function throttled(): { t: Throttled<number>; sent: (number | null)[] } {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  vi.advanceTimersByTime(1000);
  const sent: (number | null)[] = [];
  return { t: new Throttled<number>(50, (v) => sent.push(v)), sent };
}

describe("Throttled", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first value at once and the last of a burst after the interval", () => {
    const { t, sent } = throttled();
    t.set(1);
    t.set(2);
    t.set(3);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([1, 3]);
  });

  it("sends null at once, and a cancelled send never goes", () => {
    const { t, sent } = throttled();
    t.set(1);
    t.set(2);
    t.set(null);
    expect(sent).toEqual([1, null]);
    t.set(4);
    t.cancel();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, null]);
  });
});
