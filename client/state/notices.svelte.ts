/** Short messages shown over the map: results of an edit, refusals, what others did. */

export type NoticeKind = "info" | "success" | "warning" | "error";

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

const DURATION: Record<NoticeKind, number> = { info: 5000, success: 4000, warning: 12000, error: 10000 };

export class Notices {
  items = $state<Notice[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(kind: NoticeKind, text: string, ms = DURATION[kind]): number {
    // The same sentence twice in a row (a burst of remote edits) shows once.
    const same = this.items.find((n) => n.text === text);
    if (same) this.dismiss(same.id);
    const id = this.#next++;
    this.items = [...this.items.slice(-3), { id, kind, text }];
    if (ms > 0)
      this.#timers.set(
        id,
        setTimeout(() => this.dismiss(id), ms),
      );
    return id;
  }

  dismiss(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.items = this.items.filter((n) => n.id !== id);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.items = [];
  }
}
