import type * as Y from "yjs";
import { type CommentThread, openCountByTerritory, validateCommentText } from "../../shared/comments/comments.ts";
import { byCreated, commentsMap, readThread } from "../../shared/doc/schema.ts";
import { MapFollower } from "../sync/map-follower.ts";
import { filterThreads, type StatusFilter, statusCounts } from "../comments/threads.ts";
import { ApiError, createComment, editReply, patchComment, replyToComment } from "../lib/api.ts";
import type { PlanSession } from "../sync/provider.ts";

/** A comment being written at a place on the map, before it is sent. */
export interface CommentDraft {
  at: [number, number];
  /** Territories under the place, topmost first (two or more on a boundary). */
  candidates: string[];
  /** The one the comment will be tied to; null for none. */
  territoryId: string | null;
}

/** What a comment action ends with: null when done, or the sentence to show. */
export type CommentResult = string | null;

/**
 * The plan's comment threads as `$state`, and the comment actions.
 *
 * Threads live in the document's `comments` root, written only by the
 * server: actions go through the REST API and their result arrives back
 * through the synced document, like anyone else's. So nothing here writes the
 * document; a refused action leaves it untouched and returns the server's
 * sentence for the panel to show.
 */
export class CommentsState {
  /** Every thread, oldest first (as stored). */
  threads = $state.raw<CommentThread[]>([]);
  status = $state<StatusFilter>("open");
  /** Territory filter: an id, "" for threads on no territory, null for all. */
  territory = $state<string | null>(null);
  /** The thread open in the panel and highlighted on the map. */
  selected = $state<string | null>(null);
  /** Bumped when a thread asks to be shown (its pin was clicked): the side panel turns to Comments. */
  revealed = $state(0);
  draft = $state.raw<CommentDraft | null>(null);

  /** The threads the panel lists and the map pins, most recently active first. */
  visible = $derived(filterThreads(this.threads, { status: this.status, territory: this.territory }));
  counts = $derived(statusCounts(this.threads));
  /** Unresolved threads per territory id. */
  openByTerritory = $derived(openCountByTerritory(this.threads));

  #session: PlanSession;
  #follower = new MapFollower<CommentThread>(readThread, () => this.#publish());
  get #byId(): Map<string, CommentThread> {
    return this.#follower.byId;
  }

  constructor(session: PlanSession) {
    this.#session = session;
  }

  /** Follows the document's comments; called again after a reset. */
  bind(doc: Y.Doc): void {
    this.#follower.bind(doc, commentsMap(doc));
  }

  #publish(): void {
    this.threads = [...this.#byId.values()].sort(byCreated);
    if (this.selected && !this.#byId.has(this.selected)) this.selected = null;
  }

  /** Reactive: re-runs an effect or derived on any thread change. */
  get(id: string): CommentThread | undefined {
    void this.threads;
    return this.#byId.get(id);
  }

  /** Opens a thread in the panel (a pin was clicked), showing it even if the filter hid it. */
  open(id: string): void {
    const thread = this.#byId.get(id);
    if (!thread) return;
    if (filterThreads([thread], { status: this.status, territory: null }).length === 0) this.status = "all";
    if (this.territory !== null && this.territory !== (thread.territoryId ?? "")) this.territory = null;
    this.selected = id;
    this.revealed++;
  }

  /** Starts (or moves) the new-comment form to a place; what was typed is kept by the form. */
  startDraft(at: [number, number], candidates: string[]): void {
    this.draft = { at, candidates, territoryId: candidates[0] ?? null };
  }

  setDraftTerritory(id: string | null): void {
    if (this.draft) this.draft = { ...this.draft, territoryId: id };
  }

  cancelDraft(): boolean {
    if (!this.draft) return false;
    this.draft = null;
    return true;
  }

  /** Sends the draft as a new thread; on success it is selected and shown in the panel. */
  async create(text: string): Promise<CommentResult> {
    const draft = this.draft;
    if (!draft) return null;
    return this.#call(text, async (value) => {
      const thread = await createComment(this.#session.planId, this.#session.token, {
        text: value,
        at: draft.at,
        territoryId: draft.territoryId,
      });
      if (this.draft === draft) this.draft = null;
      // Make sure the new thread is listed, whatever the filters were.
      if (this.status === "resolved") this.status = "open";
      if (this.territory !== null && this.territory !== (thread.territoryId ?? "")) this.territory = null;
      this.selected = thread.id;
      this.revealed++;
    });
  }

  reply(threadId: string, text: string): Promise<CommentResult> {
    return this.#call(text, (value) => replyToComment(this.#session.planId, this.#session.token, threadId, value));
  }

  /** Edits the thread's first comment, or one of its replies. */
  edit(threadId: string, text: string, replyId?: string): Promise<CommentResult> {
    const { planId, token } = this.#session;
    return this.#call(text, (value) =>
      replyId
        ? editReply(planId, token, threadId, replyId, value)
        : patchComment(planId, token, threadId, { text: value }),
    );
  }

  async setResolved(threadId: string, resolved: boolean): Promise<CommentResult> {
    try {
      await patchComment(this.#session.planId, this.#session.token, threadId, { resolved });
      return null;
    } catch (e) {
      return e instanceof ApiError ? e.message : String(e);
    }
  }

  /** Checks the text as the server will (the sentence comes back in the UI's words), then calls. */
  async #call(text: string, send: (value: string) => Promise<unknown>): Promise<CommentResult> {
    const checked = validateCommentText(text);
    if (!checked.ok) return checked.error;
    try {
      await send(checked.value);
      return null;
    } catch (e) {
      return e instanceof ApiError ? e.message : String(e);
    }
  }

  destroy(): void {
    this.#follower.stop();
  }
}
