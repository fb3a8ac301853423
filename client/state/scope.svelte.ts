import type { LinkScope } from "../../shared/access/scope.ts";
import { getMyLink } from "../lib/links-api.ts";
import type { TerritorySummary } from "./territories.svelte.ts";

/**
 * This page's reach when it was opened with a scoped edit link (issue 15):
 * the label and scope the server keeps for the link, and which territories
 * lie outside it, so the map and the list grey them and the tools say why
 * they do not apply. The server decides; this only mirrors it.
 */
export class ScopeState {
  label = $state<string | null>(null);
  scope = $state.raw<LinkScope | null>(null);
  #planId: string;
  #token: string | null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(planId: string, token: string | null) {
    this.#planId = planId;
    this.#token = token;
  }

  /** Asks the server which link this is. A failure leaves the page unscoped: the server still refuses. */
  async load(): Promise<void> {
    try {
      const mine = await getMyLink(this.#planId, this.#token);
      this.label = mine.label;
      this.scope = mine.scope;
    } catch {
      // An older server without labelled links, or the network: nothing to grey.
    }
  }

  /**
   * Territories this page just made (drawn, split off): in a scope by ids
   * they are in scope at once, as the server adds them when it accepts the
   * change, so the name prompt that follows is not refused here.
   */
  adopt(ids: readonly string[]): void {
    const s = this.scope;
    if (!s || !("territories" in s)) return;
    this.scope = { territories: [...new Set([...s.territories, ...ids])] };
    this.territoriesChanged();
  }

  /**
   * A scope by ids grows with the territories its holders draw (the server
   * adds them): read it again shortly after the territories change.
   */
  territoriesChanged(): void {
    if (!this.scope || !("territories" in this.scope)) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.load(), 400);
  }

  get scoped(): boolean {
    return this.scope !== null;
  }

  /** Whether a territory lies inside the scope (any, without one). */
  allows(t: Pick<TerritorySummary, "id" | "parent"> | undefined): boolean {
    const s = this.scope;
    if (!s || !t) return true;
    return "parent" in s ? t.parent === s.parent : s.territories.includes(t.id);
  }

  /** The territories outside the scope, of those given. */
  outside(items: readonly TerritorySummary[]): Set<string> {
    const out = new Set<string>();
    if (!this.scope) return out;
    for (const t of items) if (!this.allows(t)) out.add(t.id);
    return out;
  }

  destroy(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}
