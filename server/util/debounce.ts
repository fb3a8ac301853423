import { log } from "../ops/log.ts";

/**
 * Runs `fn` once things have been quiet for `waitMs`, but no later than
 * `maxWaitMs` after the first trigger (lodash's debounce with maxWait).
 * Never runs two `fn` at once.
 */
export class Debouncer {
  private timer: NodeJS.Timeout | null = null;
  private firstTrigger = 0;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly fn: () => Promise<void>,
    private readonly waitMs: number,
    private readonly maxWaitMs: number,
  ) {}

  trigger(): void {
    const now = Date.now();
    if (this.timer === null) this.firstTrigger = now;
    else clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.waitMs, this.firstTrigger + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  /** Runs now (or right after the run in progress), cancelling the wait. */
  flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.fire();
  }

  private fire(): void {
    this.timer = null;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.fn()
      .catch((e: Error) => log.error({ component: "debounce", err: e }, "a debounced task failed"))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.again = false;
  }
}
