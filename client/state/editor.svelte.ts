import type * as Y from "yjs";
import { can, isRole, type Role } from "../../shared/access/roles.ts";
import {
  geometryWriter,
  readPlanName,
  readTerritory,
  readTerritoryProps,
  territoriesMap,
} from "../../shared/doc/schema.ts";
import type { TerritoryProps } from "../../shared/doc/territory.ts";
import { splitGeometry } from "../../shared/geometry/split.ts";
import type { Position, TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { PresenceUser } from "../../shared/protocol/presence.ts";
import type { Refusal } from "../../shared/protocol/messages.ts";
import { ScopeState } from "./scope.svelte.ts";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import { t } from "../i18n/i18n.svelte.ts";
import { collectChanges } from "../sync/changes.ts";
import { Presence } from "../sync/presence.svelte.ts";
import { type ConnectionStatus, PlanSession } from "../sync/provider.ts";
import {
  createTerritory,
  deleteTerritories,
  type EditError,
  mergeTerritories,
  nextDefaultName,
  patchTerritory,
  pinAccount,
  setAllowedDeviation,
  setGeometries,
  splitTerritory,
} from "./edits.ts";
import { ActivityFeed } from "./activity.svelte.ts";
import { AnalysisState } from "./analysis.svelte.ts";
import { CommentsState } from "./comments.svelte.ts";
import type { Identity } from "./identity.svelte.ts";
import { Notices } from "./notices.svelte.ts";
import { PinList } from "./pins.svelte.ts";
import { TerritoryList } from "./territories.svelte.ts";
import { createUnitTerritory, mergeUnitTerritories, paintUnits, splitUnitTerritory } from "./unit-edits.ts";
import { UnitsState } from "./units.svelte.ts";
import { CompetitorsState } from "./competitors.svelte.ts";
import { ProposalsState } from "./proposals.svelte.ts";
import { SuggestionsState } from "./suggestions.svelte.ts";
import { VersionsState } from "./versions.svelte.ts";
import { ScenariosState } from "./scenarios.svelte.ts";
import { ReplayState } from "../replay/replay.svelte.ts";

export type Tool =
  | "select"
  | "draw"
  | "reshape"
  | "move"
  | "split"
  | "merge"
  | "paint"
  | "fill"
  | "comment"
  /** Drawing a suggestion (issue 15): reshaping a copy of a territory, or painting units, for the draft only. */
  | "suggest";
export const TOOLS: Tool[] = ["select", "draw", "reshape", "move", "split", "merge", "paint", "fill", "comment"];
/** Tools of drawn plans only: a unit territory's shape is its units (issue 12). */
const DRAWN_ONLY: readonly Tool[] = ["reshape", "move"];
/** Tools of unit plans only. */
const UNITS_ONLY: readonly Tool[] = ["paint", "fill"];

/** What the map view offers to the rest of the editor (keyboard, panels). */
export interface MapApi {
  /** Aborts a drawing in progress; false when nothing was being drawn. */
  cancelDrawing(): boolean;
  /** Removes the last point of a drawing in progress; false when nothing was being drawn. */
  removeLastPoint(): boolean;
  fitAll(): void;
  /** The current map view as a PNG image. */
  exportPng(): Promise<Blob>;
  zoomTo(id: string): void;
  /** Zooms to an issue's place (its box). */
  zoomToIssue(id: string): void;
  /** Zooms to a lon/lat box [minLon, minLat, maxLon, maxLat] (an activity entry's place). */
  zoomToBox(box: [number, number, number, number]): void;
  /** Centres a lon/lat (a comment's pin). */
  zoomToPlace(at: [number, number]): void;
  /** Shows an element at a lon/lat, moving with the map; returns what removes it. */
  placeElement(element: HTMLElement, at: [number, number]): () => void;
}

/** How long a first visit waits for its person id before connecting with the stand-in (ms). */
const ID_WAIT_MS = 2500;

/** How long after my own reshape a remote overwrite of it is worth a notice. */
const CONFLICT_WINDOW_MS = 10_000;

/**
 * The editor of one plan: the session, presence, reactive territory list,
 * the current tool and selection, and every user action. Components call
 * the actions; the map controller reads tool and selection.
 */
export class EditorState {
  readonly session: PlanSession;
  readonly presence: Presence;
  readonly territories = new TerritoryList();
  readonly notices = new Notices();
  /** Accounts pinned to a territory by hand (account id → territory id). */
  readonly pins = new PinList();
  /** The server's live scores, the accounts, and how the map shows them. */
  readonly analysis: AnalysisState;
  /** Comment threads (written by the server, read from the document), filters, the new comment's draft. */
  readonly comments: CommentsState;
  /** What this page's link allows: "view" until the server says (a server without roles: "edit"). */
  role = $state<Role>("view");
  /** A scoped edit link's reach (issue 15): its label, its scope, the territories outside it. */
  readonly scope: ScopeState;
  /** Territories this page's link may not change (greyed on the map and in the list); empty unscoped. */
  readonly outsideScope = $derived.by(() => this.scope.outside(this.territories.items));
  /** Who did what, when: paged over REST, live from the server. */
  readonly activity: ActivityFeed;
  /** A unit plan's units and whose each one is (inactive in a drawn plan). */
  readonly units: UnitsState;
  /** The plan's competitors, drawn with their own symbol. */
  readonly competitors: CompetitorsState;
  /** Auto-balance: the plan's proposals, live, the one selected, and a manager's actions on them. */
  readonly proposals: ProposalsState;
  /** Suggestions (issue 15): the plan's, live from the document, the one being drawn, and the actions. */
  readonly suggestions: SuggestionsState;
  /** Versions and checkpoints (issue 14): the list, a manager's actions, and the version or comparison the map shows. */
  readonly versions: VersionsState;
  /** Scenarios of this plan, or what this scenario is a scenario of (issue 14). */
  readonly scenarios: ScenariosState;
  /** The person whose map view mine follows (follow mode), or null. */
  following = $state<string | null>(null);

  tool = $state<Tool>("select");
  selection = $state.raw<string[]>([]);
  status = $state<ConnectionStatus>("connecting");
  /** The first sync of the current document is done (hides the loading overlay). */
  loaded = $state(false);
  canRedo = $state(false);
  /** The account whose card is open on the map (clicked), by id; null when none. */
  account = $state<string | null>(null);
  /** Territory whose inline rename prompt is open (after drawing it). */
  renaming = $state<string | null>(null);
  planName = $state("");
  /** Bumped when the document is replaced after a refusal; views rebind. */
  generation = $state(0);
  /** The session's replay (issue 14) while it is open: the map shows the plan as it was, read-only. */
  replay = $state<ReplayState | null>(null);
  /** The document the map and lists show instead of the live one (a replay's), or null. */
  #shown: Y.Doc | null = null;
  showStreets = $state(false);

  map: MapApi | null = null;

  #identity: Identity;
  /** This page is a wall screen (the wall view): others see it as one, not as a nameless guest. */
  #wall: boolean;
  #reshapedAt = new Map<string, number>();
  /** The undo manager has a step of mine to take back. */
  #localUndo = $state(false);
  /**
   * The proposal this page accepted, while that is my latest step: no edit of
   * mine since (the undo manager, beside which it is kept, would have taken a
   * step). Ctrl+Z then takes the accept back on the server (issue 13).
   */
  #acceptedStep = $state<string | null>(null);
  /** The same for a suggestion this page accepted (issue 15). */
  #acceptedSuggestion = $state<string | null>(null);
  #unbind: (() => void) | null = null;
  #offs: (() => void)[] = [];

  constructor(planId: string, token: string | null, identity: Identity, options: { wall?: boolean } = {}) {
    this.#identity = identity;
    this.#wall = options.wall ?? false;
    // A first visit asks the server for this browser's person id before the socket opens: a
    // socket opened with the stand-in would have to reconnect, and the server binds presence
    // to the first connection of a client until it notices the old one closed.
    this.scope = new ScopeState(planId, token);
    this.session = new PlanSession(planId, {
      token,
      person: identity.person,
      connect: identity.issued,
    });
    this.presence = new Presence(this.session, this.#presenceUser());
    this.analysis = new AnalysisState(this.session);
    this.comments = new CommentsState(this.session);
    this.activity = new ActivityFeed(this.session);
    this.units = new UnitsState(planId, token);
    this.competitors = new CompetitorsState(planId, token);
    this.proposals = new ProposalsState(this.session, this.notices, {
      accepted: (id) => {
        this.#acceptedStep = id;
        this.#acceptedSuggestion = null;
      },
    });
    this.suggestions = new SuggestionsState(this.session, this.notices, (id) => {
      this.#acceptedSuggestion = id;
      this.#acceptedStep = null;
    });
    this.versions = new VersionsState(this.session, this.notices, () => this.role);
    this.scenarios = new ScenariosState(this.session, this.notices, this.versions, () => this.role);
    this.status = this.session.status;
    this.#offs.push(
      this.session.on("status", (s) => {
        this.status = s;
      }),
      this.session.on("synced", (synced) => {
        if (synced) this.analysis.synced();
        if (synced && !this.loaded) {
          this.loaded = true;
          const name = readPlanName(this.session.doc);
          if (name) this.planName = name;
        }
      }),
      this.session.on("refused", (r) => this.#onRefused(r)),
      // The server issued this browser's person id after the socket opened: reconnect as that person.
      identity.onIssued(() => {
        this.session.setPerson(identity.person, true);
        this.presence.setUser(this.#presenceUser());
      }),
      this.session.on("reset", () => {
        // A refused edit of mine is gone with the old document: the server's shape is no conflict.
        this.#reshapedAt.clear();
        this.loaded = false;
        this.#bind();
        this.generation++;
      }),
    );
    this.#bind();
    if (!identity.issued) {
      const start = () => this.session.start();
      // Not for long: a server that does not answer still gets the stand-in id.
      const timer = setTimeout(start, ID_WAIT_MS);
      void identity.ensureIssued().finally(() => {
        clearTimeout(timer);
        start();
      });
    }
    void this.#learnRole();
    // A first probe lost to a network blip would leave a manager without tools:
    // ask again whenever the socket connects and the role is still unknown.
    this.#offs.push(
      this.session.on("status", (s) => {
        if (s === "connected" && !this.session.planInfo) void this.#learnRole();
      }),
    );
  }

  /** Who this page is to the others: the person, marked as a wall screen on the wall view. */
  #presenceUser(): PresenceUser {
    const user = this.#identity.user;
    return this.#wall ? { ...user, screen: "wall" } : user;
  }

  /** The plan's name and this link's role, from the REST API. */
  async #learnRole(): Promise<void> {
    const asked = this.#identity.issued ? this.#identity.id : null;
    await this.session.probe();
    const info = this.session.planInfo;
    if (info && !this.planName) this.planName = info.name;
    if (info) this.role = isRole(info.role) ? info.role : "edit";
    if (info) this.scenarios.setOrigin(info.origin);
    if (info && this.isManager && !this.scope.scoped) void this.scope.load();
    // The server did not recognise our secret (its key changed): get a new identity, then reconnect as it.
    if (asked && info?.you && info.you.id !== asked && this.#identity.id === asked) void this.#identity.reissue();
  }

  /** The document the map shows: the live plan, or during a replay the plan as it was then. */
  get doc(): Y.Doc {
    return this.#shown ?? this.session.doc;
  }

  /**
   * Opens the replay of the latest session (issue 14), or of the history
   * from `from`, at `at` (epoch ms); read-only for everyone meanwhile.
   */
  startReplay(opts: { from?: number; at?: number } = {}): void {
    if (this.replay) return;
    if (this.versions.showing) this.versions.back();
    this.setTool("select");
    this.select([]);
    const replay = new ReplayState(this.session.planId, this.session.token, (doc) => this.#showDoc(doc));
    this.replay = replay;
    void replay.load(opts);
  }

  /** Back to the live plan. */
  stopReplay(): void {
    const replay = this.replay;
    if (!replay) return;
    this.replay = null;
    this.#showDoc(null);
    replay.destroy();
  }

  /** Binds the map and the lists that draw on it to `doc` (null: the live document). */
  #showDoc(doc: Y.Doc | null): void {
    this.#shown = doc;
    const d = this.doc;
    this.territories.bind(d);
    this.pins.bind(d);
    this.units.bind(d);
    this.generation++;
  }

  /**
   * Whether this page may change territories now: a manager's link, and the
   * map shows the plan now (a version opened or a comparison is read-only).
   */
  get canEdit(): boolean {
    return this.isManager && this.versions.showing === null && this.replay === null;
  }

  /** Whether this page's link is a manager's (edit) link, whatever the map shows. */
  get isManager(): boolean {
    return can(this.role, "edit-plan");
  }

  get selected(): string | null {
    return this.selection.length === 1 ? (this.selection[0] as string) : null;
  }

  #bind(): void {
    this.#unbind?.();
    const doc = this.session.doc;
    const map = territoriesMap(doc) as Y.Map<unknown>;
    // Registered before the territory list binds, so names of deleted territories can still be read from it.
    const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction) =>
      this.#onTerritoryEvents(events, tr, map);
    map.observeDeep(observer);
    this.territories.bind(doc);
    this.pins.bind(doc);
    this.analysis.bind(doc);
    this.comments.bind(doc);
    this.suggestions.bind(doc);
    this.units.bind(doc);
    this.competitors.bind(doc);
    const undo = this.session.undo;
    const onStack = () => {
      this.#localUndo = undo.canUndo();
      this.canRedo = undo.canRedo();
    };
    // An edit of mine after accepting a proposal: the accept is no longer my latest step.
    const onAdded = (e: { type: "undo" | "redo" }) => {
      if (e.type === "undo") this.#acceptedStep = this.#acceptedSuggestion = null;
      onStack();
    };
    undo.on("stack-item-added", onAdded);
    undo.on("stack-item-popped", onStack);
    undo.on("stack-cleared", onStack);
    onStack();
    this.#unbind = () => {
      map.unobserveDeep(observer);
      undo.off("stack-item-added", onAdded);
      undo.off("stack-item-popped", onStack);
      undo.off("stack-cleared", onStack);
    };
  }

  #onTerritoryEvents(events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction, map: Y.Map<unknown>): void {
    const { ids, geometry } = collectChanges(events, map);
    const gone = this.selection.filter((id) => ids.has(id) && !map.has(id));
    if (gone.length > 0) {
      if (!tr.local) {
        for (const id of gone) {
          const name = this.territories.get(id)?.name ?? id;
          this.notices.push("warning", t("notice.remoteDeleted", { name }));
        }
      }
      this.select(this.selection.filter((id) => !gone.includes(id)));
    }
    if (this.renaming && ids.has(this.renaming) && !map.has(this.renaming)) this.renaming = null;
    // A rep's or leader's link draws no shape of its own, so no remote one replaces theirs.
    // Nor is the first sync of a document (a reload after a refusal) anyone's edit.
    if (tr.local || !this.canEdit || !this.loaded) return;
    // Someone else's geometry replaced one I am working on: say who, so no edit is lost unseen.
    const now = Date.now();
    for (const id of geometry) {
      if (!map.has(id)) continue;
      const mine = this.selection.includes(id) || now - (this.#reshapedAt.get(id) ?? 0) < CONFLICT_WINDOW_MS;
      if (!mine) continue;
      const writer = geometryWriter(this.doc, id);
      if (writer === null || writer === this.doc.clientID) continue;
      const who = this.presence.nameOf(writer) ?? t("someone");
      const name = readTerritoryProps(this.doc, id)?.name ?? id;
      this.notices.push("warning", t("notice.conflict", { who, name }));
    }
  }

  #onRefused(r: Refusal): void {
    if (r.code === "out-of-scope") {
      this.notices.push("error", this.#scopeRefusal(r), 15000);
      return;
    }
    if (r.code === "forbidden") {
      // The role does not allow it: the server's sentence says what the link allows.
      this.notices.push("error", r.message, 15000);
      return;
    }
    this.notices.push(
      "error",
      r.reset ? t("err.refused", { message: r.message }) : t("err.refusedNoReset", { message: r.message }),
      15000,
    );
  }

  /** A scoped link's refusal in the reader's language, naming the territories. */
  #scopeRefusal(r: Refusal): string {
    const names = (r.territories ?? []).map((id) => this.#name(id)).join(", ");
    switch (r.reason) {
      case "outside":
      case "overlap":
      case "region":
      case "parent":
      case "plan":
        return t(`scope.refused.${r.reason}`, { names });
      default:
        return t("err.refused", { message: r.message });
    }
  }

  /**
   * Whether any of `ids` lies outside this link's scope; says so when one
   * does. Each editing action asks before it writes: the server would refuse.
   */
  #outside(ids: readonly (string | null | undefined)[]): boolean {
    const out = ids.filter((id): id is string => !!id && this.outsideScope.has(id));
    if (out.length === 0) return false;
    this.notices.push("error", t("scope.outside", { names: out.map((id) => this.#name(id)).join(", ") }), 8000);
    return true;
  }

  // ——— selection and tools ———

  select(ids: string[]): void {
    const unique = [...new Set(ids)];
    if (unique.length === this.selection.length && unique.every((id, i) => id === this.selection[i])) return;
    this.selection = unique;
    this.presence.setSelection(unique);
  }

  toggleSelected(id: string): void {
    this.select(this.selection.includes(id) ? this.selection.filter((s) => s !== id) : [...this.selection, id]);
  }

  setTool(tool: Tool): void {
    // A version opened or compared is read-only: nothing to draw on, nothing to comment on.
    if ((this.versions.showing || this.replay) && tool !== "select") return;
    if (tool === "comment" && !can(this.role, "comment")) return;
    // A suggestion is drawn from "Suggest a change" (suggest()); reps have that tool too.
    if (tool === "suggest") return;
    this.suggestions.cancel();
    // Comment and view links get no editing tools (the server would refuse the edit anyway).
    if (tool !== "select" && tool !== "comment" && !this.canEdit) return;
    if (this.units.active ? DRAWN_ONLY.includes(tool) : UNITS_ONLY.includes(tool)) return;
    if (tool !== "comment") this.comments.cancelDraft();
    if (tool !== "select" && tool !== "comment" && tool !== "draw" && this.#outside(this.selection)) return;
    if (tool === "merge" && this.selection.length === 2) {
      this.merge();
      return;
    }
    if ((tool === "reshape" || tool === "split" || tool === "merge" || tool === "paint") && this.selection.length > 1) {
      this.select(this.selection.slice(-1));
    }
    this.tool = tool;
  }

  /** Esc: drop what is in progress, step by step. */
  cancel(): void {
    if (this.renaming) {
      this.renaming = null;
      return;
    }
    // A version opened or compared: Esc is "Back to now".
    if (this.versions.showing) {
      this.versions.back();
      return;
    }

    if (this.account) {
      this.account = null;
      return;
    }
    if (this.comments.cancelDraft()) return;
    if (this.map?.cancelDrawing()) return;
    if (this.tool === "suggest" && this.suggestions.cancel()) {
      this.tool = "select";
      return;
    }
    if (this.tool !== "select") {
      this.tool = "select";
      return;
    }
    if (this.analysis.highlight) {
      this.analysis.highlight = null;
      return;
    }
    this.select([]);
  }

  // ——— edits ———

  #name(id: string): string {
    return this.territories.get(id)?.name ?? readTerritoryProps(this.doc, id)?.name ?? id;
  }

  #fail(error: EditError, names: { name?: string; a?: string; b?: string } = {}): void {
    let text: string;
    switch (error.kind) {
      case "geometry":
        text = t("err.geometry", { detail: error.detail });
        break;
      case "props":
        text = t("err.props", { detail: error.detail });
        break;
      case "gone":
        text = t("err.gone");
        break;
      case "split":
        text = t(`err.split.${error.reason}`, { name: names.name ?? "" });
        break;
      case "merge":
        text = t(`err.merge.${error.reason}`, { a: names.a ?? "", b: names.b ?? "" });
        break;
      case "units":
        text = t(`err.units.${error.reason}`);
        break;
    }
    this.notices.push("error", text);
  }

  /**
   * A polygon finished with the Draw tool becomes a territory, selected, with
   * its name prompt open; in a unit plan, the territory of the units whose
   * centre lies inside it.
   */
  createFromDrawing(geometry: TerritoryGeometry): string | null {
    const name = nextDefaultName(this.doc, (n) => t("territory.defaultName", { n }));
    // A regional manager's territory belongs to their region (the server refuses it otherwise).
    const scope = this.scope.scope;
    const props = scope && "parent" in scope ? { name, parent: scope.parent } : { name };
    const r = this.units.active
      ? createUnitTerritory(this.doc, this.units.unitsInGeometry(geometry), props)
      : createTerritory(this.doc, geometry, props);
    if (!r.ok) {
      this.#fail(r.error);
      return null;
    }
    this.tool = "select";
    this.select([r.value]);
    this.renaming = r.value;
    this.scope.adopt([r.value]);
    return r.value;
  }

  /**
   * A paint stroke (issue 12): the units go to the selected territory, or
   * out of every territory with `erase`. One step for undo and for everyone.
   */
  paint(units: readonly number[], erase: boolean): boolean {
    if (!this.canEdit || units.length === 0) return false;
    const target = erase ? null : this.selected;
    if (this.#outside([target])) return false;
    if (!erase && !target) {
      this.notices.push("error", t("err.units.needTerritory"));
      return false;
    }
    const r = paintUnits(this.doc, units, target);
    if (!r.ok) this.#fail(r.error);
    return r.ok;
  }

  /** Fill: every unit whose centre lies inside the ring goes to the selected territory, or to a new one. */
  fill(geometry: TerritoryGeometry): void {
    const units = this.units.unitsInGeometry(geometry);
    if (units.length === 0) {
      this.#fail({ kind: "units", reason: "empty" });
      return;
    }
    if (this.selected) this.paint(units, false);
    else this.createFromDrawing(geometry);
  }

  patch(id: string, patch: Partial<TerritoryProps>): boolean {
    if (this.#outside([id])) return false;
    const r = patchTerritory(this.doc, id, patch);
    if (!r.ok) this.#fail(r.error);
    return r.ok;
  }

  rename(id: string, name: string): boolean {
    return this.patch(id, { name });
  }

  /** Reshape or move result: written as one step, remembered for conflict notices. */
  commitGeometries(geometries: Map<string, TerritoryGeometry>): boolean {
    if (this.#outside([...geometries.keys()])) return false;
    const r = setGeometries(this.doc, geometries);
    if (!r.ok) {
      this.#fail(r.error);
      return false;
    }
    const now = Date.now();
    for (const id of geometries.keys()) this.#reshapedAt.set(id, now);
    return true;
  }

  deleteSelection(): void {
    const ids = this.selection;
    if (ids.length === 0 || !this.canEdit || this.#outside(ids)) return;
    const name = ids.length === 1 ? this.#name(ids[0] as string) : "";
    const r = deleteTerritories(this.doc, ids);
    if (r.ok && r.value > 0) {
      this.notices.push(
        "info",
        r.value === 1 ? t("notice.deletedOne", { name }) : t("notice.deletedMany", { n: r.value }),
      );
    }
    this.select([]);
  }

  split(line: Position[]): void {
    const id = this.selected;
    if (!id) {
      this.notices.push("error", t("err.split.needOne"));
      return;
    }
    if (this.#outside([id])) return;
    const name = this.#name(id);
    const secondName = (n: string) => t("territory.splitName", { name: n });
    const r = this.units.active
      ? this.#splitUnits(id, line, secondName)
      : splitTerritory(this.doc, id, line, secondName);
    if (!r.ok) {
      this.#fail(r.error, { name });
      return;
    }
    this.#reshapedAt.set(id, Date.now());
    this.scope.adopt(r.value);
    this.notices.push("success", t("notice.split", { name }));
    this.select(r.value);
    this.tool = "select";
  }

  /** A unit territory split along a line: its units on the far side of the cut go to a new territory. */
  #splitUnits(id: string, line: Position[], secondName: (name: string) => string) {
    const outline = this.units.outline(id);
    if (!outline) return { ok: false as const, error: { kind: "gone" as const } };
    const pieces = splitGeometry(outline, line);
    if (!pieces.ok) return { ok: false as const, error: { kind: "split" as const, reason: pieces.reason } };
    const mine = this.units.unitsOf(id);
    const moved = new Set(this.units.unitsInGeometry(pieces.value[1]));
    const movedMine = mine.filter((u) => moved.has(u));
    return splitUnitTerritory(this.doc, id, movedMine, mine.length - movedMine.length, secondName);
  }

  /** Merges the two selected territories, or the selected one with `otherId`. */
  merge(otherId?: string): void {
    const [keep, other] = otherId && this.selected ? [this.selected, otherId] : this.selection;
    if (!keep || !other || keep === other) {
      this.notices.push("error", t("err.merge.needTwo"));
      return;
    }
    if (this.#outside([keep, other])) return;
    const a = this.#name(keep);
    const b = this.#name(other);
    const r = this.units.active ? mergeUnitTerritories(this.doc, keep, other) : mergeTerritories(this.doc, keep, other);
    if (!r.ok) {
      this.#fail(r.error, { a, b });
      return;
    }
    this.#reshapedAt.set(keep, Date.now());
    this.notices.push("success", t("notice.merged", { a, b }));
    this.select([keep]);
    this.tool = "select";
  }

  /** Opens an account's card (where it counts, where it is pinned, and for managers the pin). */
  showAccount(id: string | null): void {
    this.account = id;
  }

  /** Pins an account to a territory by hand, or unpins it (null): undoable, seen by everyone. */
  pin(accountId: string, territoryId: string | null): boolean {
    if (!this.canEdit || this.#outside([territoryId, this.pins.get(accountId)])) return false;
    const r = pinAccount(this.doc, accountId, territoryId);
    if (!r.ok) this.#fail(r.error);
    return r.ok;
  }

  /** Sets the plan's allowed deviation (a whole percentage) for everyone. */
  setAllowedDeviation(percent: number): boolean {
    if (this.scope.scoped) {
      this.notices.push("error", t("scope.planWide"), 8000);
      return false;
    }
    const r = setAllowedDeviation(this.doc, percent);
    if (!r.ok) this.#fail(r.error);
    return r.ok;
  }

  /** Zooms the map to an issue and outlines it; again on the same issue clears it. */
  showIssue(id: string | null): void {
    this.analysis.highlight = id;
    if (id) this.map?.zoomToIssue(id);
  }

  /** Opens a thread in the panel and brings its pin into view. */
  /**
   * Starts drawing a suggestion for a territory (reps and managers): a
   * drawn territory's shape to reshape, or units to paint; `threadId`
   * redraws that thread's suggestion. The Comments tab shows the draft.
   */
  suggest(territoryId: string, threadId: string | null = null): void {
    if (!can(this.role, "comment") || this.versions.showing) return;
    // A unit plan's territory has no shape of its own: its units are painted instead.
    const shape = this.units.active ? null : (readTerritory(this.session.doc, territoryId)?.geometry ?? null);
    if (!readTerritoryProps(this.session.doc, territoryId) || (!this.units.active && !shape)) return;
    this.comments.cancelDraft();
    this.suggestions.begin(territoryId, shape, threadId);
    this.select([territoryId]);
    this.tool = "suggest";
    this.comments.revealed++;
  }

  /** Ends drawing a suggestion (sent or given up). */
  endSuggestion(): void {
    this.suggestions.cancel();
    if (this.tool === "suggest") this.tool = "select";
  }

  showComment(id: string): void {
    const thread = this.comments.get(id);
    if (!thread) return;
    this.comments.selected = id;
    this.map?.zoomToPlace(thread.at);
  }

  /** Whether Undo has something to take back: a step of mine, or the proposal I accepted last. */
  get canUndo(): boolean {
    return this.#localUndo || this.undoableAccept !== null || this.#undoableSuggestion !== null;
  }

  /** The suggestion Undo would take back (I accepted it, nothing of mine since, nobody took it back yet), or null. */
  get #undoableSuggestion(): string | null {
    const id = this.#acceptedSuggestion;
    const s = id ? this.suggestions.list.find((x) => x.id === id) : undefined;
    return id && s?.status === "accepted" && !s.undone ? id : null;
  }

  /** The proposal Undo would take back (I accepted it, nothing of mine since, nobody took it back yet), or null. */
  get undoableAccept(): string | null {
    const id = this.#acceptedStep;
    const p = this.proposals.get(id);
    return id && p?.status === "accepted" && !p.undone ? id : null;
  }

  undo(): void {
    if (!this.canEdit) return;
    const suggestion = this.#undoableSuggestion;
    if (suggestion) {
      this.#acceptedSuggestion = null;
      void this.suggestions.undo(suggestion).then((error) => {
        if (error) this.notices.push("error", t("suggestions.failed", { error }));
      });
      return;
    }
    const accepted = this.undoableAccept;
    if (accepted) {
      this.#acceptedStep = null;
      void this.proposals.undo(accepted);
      return;
    }
    this.session.undo.undo();
  }

  redo(): void {
    if (this.canEdit) this.session.undo.redo();
  }

  setUserName(name: string): void {
    this.#identity.setName(name);
    this.presence.setUser(this.#presenceUser());
    this.session.setPerson(this.#identity.person);
  }

  // ——— activity and follow mode ———

  /** Zooms to where an activity entry happened: its box, else its territory if it still exists. */
  showActivity(entry: ActivityEntry): void {
    if (entry.box?.every(Number.isFinite)) this.map?.zoomToBox(entry.box);
    else if (entry.territoryId && this.territories.get(entry.territoryId)) this.map?.zoomTo(entry.territoryId);
  }

  /** Follows a person's map view (their first tab that publishes one) until I move my map. */
  follow(personId: string): void {
    if (personId === this.#identity.id) return;
    this.following = personId;
  }

  /** Stops following; `left` says the followed person left the plan. */
  stopFollowing(left?: string): void {
    if (this.following === null) return;
    this.following = null;
    if (left) this.notices.push("info", t("follow.left", { name: left }));
  }

  destroy(): void {
    this.#unbind?.();
    for (const off of this.#offs) off();
    this.territories.destroy();
    this.scope.destroy();
    this.pins.destroy();
    this.analysis.destroy();
    this.activity.destroy();
    this.comments.destroy();
    this.units.destroy();
    this.competitors.destroy();
    this.proposals.destroy();
    this.suggestions.destroy();
    this.versions.destroy();
    this.replay?.destroy();
    this.presence.destroy();
    this.notices.clear();
    this.session.destroy();
  }
}
