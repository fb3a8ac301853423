/**
 * A value sent at most once per `intervalMs`, the trailing one kept so the
 * last always arrives; null goes at once (a pointer that left, a view gone).
 * Presence sends the cursor and the map view through one each.
 */
export class Throttled<T> {
  value: T | null = null;
  #lastSent = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (value: T | null) => void,
  ) {}

  set(value: T | null): void {
    this.value = value;
    const wait = this.intervalMs - (performance.now() - this.#lastSent);
    if (value === null || wait <= 0) this.flush();
    else if (this.#timer === null) this.#timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends the value now. */
  flush(): void {
    this.cancel();
    this.#lastSent = performance.now();
    this.send(this.value);
  }

  /** Drops a send that is waiting. */
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
