import { afterEach, describe, expect, it, vi } from "vitest";
import { Throttled } from "./throttled.ts";

describe("Throttled", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first value at once and the last of a burst after the interval", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const sent: (number | null)[] = [];
    const t = new Throttled<number>(50, (v) => sent.push(v));
    vi.advanceTimersByTime(1000); // a page open for a while
    t.set(1);
    t.set(2);
    t.set(3);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([1, 3]);
  });

  it("sends null at once, and a cancelled send never goes", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const sent: (number | null)[] = [];
    const t = new Throttled<number>(50, (v) => sent.push(v));
    vi.advanceTimersByTime(1000); // a page open for a while
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
