import OlMap from "ol/Map.js";
import View from "ol/View.js";
import { defaults as defaultControls, ScaleLine } from "ol/control.js";
import type TileLayer from "ol/layer/Tile.js";
import type Layer from "ol/layer/Layer.js";
import type VectorLayer from "ol/layer/Vector.js";
import type VectorImageLayer from "ol/layer/VectorImage.js";
import { fromLonLat, transformExtent } from "ol/proj.js";
import type OSM from "ol/source/OSM.js";
import type VectorSource from "ol/source/Vector.js";
import type { Issue } from "../../shared/scoring/types.ts";
import type { PlanAccounts } from "../analysis/accounts.ts";
import type { Peer } from "../sync/presence.svelte.ts";
import type { FillMode } from "../state/analysis.svelte.ts";
import type { EditorState, MapApi, Tool } from "../state/editor.svelte.ts";
import { AccountsLayer, detectPointsRenderer } from "./accounts-layer.ts";
import { CommentLayer, type PinInput } from "./comment-layer.ts";
import { CompetitorsLayer } from "./competitors-layer.ts";
import type { TerritoryFeature } from "./convert.ts";
import { exportMapPng } from "./export-png.ts";
import { ViewFollower } from "./follow.ts";
import type { PresenceView } from "../../shared/protocol/presence.ts";
import { MapHits } from "./hits.ts";
import { MapHover } from "./hover.ts";
import { TOOLS } from "./interactions/index.ts";
import type { MapClick, ToolHandle } from "./interactions/types.ts";
import { PeerCursors } from "./peer-cursors.ts";
import { installTestHandle } from "./test-handle.ts";
import { createBasemap, createLabelLayer, createStreetLayer, createTerritoryLayer } from "./layers.ts";
import { IssueHighlightLayer, OverlapLayer } from "./issue-layers.ts";
import { SelectionLayers } from "./selection-layers.ts";
import { type Ghost, SuggestionLayer } from "./suggestion-layer.ts";
import { type FillState, OUTSIDE_COLOR } from "./styles.ts";
import { TerritorySync } from "./territory-sync.ts";
import { ViewMoves } from "./view-moves.ts";
import { UnitsLayer } from "./units-layer.ts";
import { VersionLayer, type VersionMapInput } from "./version-layer.ts";
import type { UnitsData } from "../../shared/units/compact.ts";

/** Java and its neighbours: the view while the plan loads. */
const DEFAULT_CENTER = fromLonLat([112, -4]);
const DEFAULT_ZOOM = 5;
/** Where a plan with no territories opens: all of Indonesia. */
const INDONESIA = [94.5, -11.5, 141.5, 6.5];

/**
 * All OpenLayers glue for one editor: the map and its layers, the document
 * ↔ source sync, the active tool's interactions, selection clicks, presence
 * cursors. Svelte drives it through `setTool`, `setSelection`, `setPeers`.
 */
export class MapController implements MapApi {
  readonly map: OlMap;
  readonly sync = new TerritorySync();
  #editor: EditorState;
  #fill: FillState = { mode: "territory", balance: new Map() };
  #selectionLayers = new SelectionLayers(this.sync, this.#fill);
  readonly accounts: AccountsLayer;
  #overlaps = new OverlapLayer();
  #issue = new IssueHighlightLayer();
  readonly comments = new CommentLayer();
  /** Suggested shapes (issue 15), drawn as ghosts over the territories. */
  #suggestions = new SuggestionLayer();
  readonly competitors = new CompetitorsLayer();
  /** A unit plan's units: filled by territory, each border between territories drawn once. */
  #units: UnitsLayer;
  /** The layer the territory outlines were last worked out from. */
  #unitsData: UnitsData | null = null;
  /** The selected proposal's moves, drawn hatched over the units (issue 13). */
  #proposalMoves: ReadonlyMap<number, string> | null = null;
  /** A version opened or two compared (issue 14), drawn while the plan now is hidden. */
  readonly version = new VersionLayer();
  #showingVersion = false;
  /** Whether the map display asks for accounts and competitors (hidden while a version is shown). */
  #accountsOn = true;
  #competitorsOn = false;
  #accountIndex: { accounts: PlanAccounts; byId: Map<string, number> } | null = null;
  #territoryLayer: VectorImageLayer<VectorSource<TerritoryFeature>>;
  #labelLayer: VectorLayer<VectorSource<TerritoryFeature>>;
  #peers = new PeerCursors();
  #hits: MapHits;
  #hover: MapHover;
  #streets: TileLayer<OSM> | null = null;
  #tool: Tool = "select";
  #selection: string[] = [];
  #handle: ToolHandle | null = null;
  #fitted = false;
  /** Follow mode: publishes my view, moves with the followed one, stops when I move. */
  #follower: ViewFollower;
  #moves: ViewMoves;

  constructor(target: HTMLElement, editor: EditorState, onBasemapError: (e: unknown) => void) {
    this.#editor = editor;
    this.#territoryLayer = createTerritoryLayer(this.sync.source, this.#fill);
    const units = editor.units;
    const fill = this.#fill;
    const self = this;
    this.#units = new UnitsLayer({
      get data() {
        return units.data;
      },
      get owner() {
        return units.owner;
      },
      colorOf: (id) =>
        fill.outside?.has(id)
          ? OUTSIDE_COLOR
          : fill.mode === "balance"
            ? (fill.balance.get(id) ?? null)
            : (editor.territories.get(id)?.color ?? null),
      get moves() {
        return self.#proposalMoves;
      },
      territoryColor: (id) => editor.territories.get(id)?.color ?? null,
    });
    this.accounts = new AccountsLayer(detectPointsRenderer());
    this.#labelLayer = createLabelLayer(this.sync.source);
    this.sync.onChange = () => {
      this.#selectionLayers.refresh();
      target.setAttribute("data-territory-count", String(this.#territoryCount()));
    };
    const basemap = createBasemap(onBasemapError);
    this.map = new OlMap({
      target,
      layers: [
        ...basemap.layers,
        this.#territoryLayer,
        this.#units.layer,
        this.version.layer,
        this.#overlaps.layer,
        this.#selectionLayers.outlines,
        this.#selectionLayers.lifted,
        this.#suggestions.layer,
        // Accounts above the territories being edited, so a reshape never hides them.
        this.accounts.layer,
        this.competitors.layer,
        this.#issue.layer,
        this.#labelLayer,
        this.version.labels,
        // Pins above the labels: a comment is what the person came to see or write.
        this.comments.layer,
        this.#peers.layer,
      ],
      view: new View({
        center: DEFAULT_CENTER,
        zoom: DEFAULT_ZOOM,
        maxZoom: 19,
        minZoom: 2,
        constrainResolution: false,
      }),
      controls: defaultControls({ rotate: false, attribution: true }).extend([new ScaleLine({ bar: false })]),
      moveTolerance: 2,
    });
    basemap.start(this.map);
    this.#follower = new ViewFollower(this.map, {
      publish: (view) => editor.presence.setView(view),
      onOwnMove: () => editor.stopFollowing(),
    });
    this.#moves = new ViewMoves(this.map, this.#follower);
    this.#hits = new MapHits(this.map, {
      isTerritory: this.#isTerritoryLayer,
      comments: this.comments,
      accounts: this.accounts,
      units: editor.units,
    });
    this.#hover = new MapHover(this.map, editor, this.#hits, () => this.#handle);
    this.map.on("click", (e) => this.#onClick(e));
    installTestHandle(target, {
      map: this.map,
      sync: this.sync,
      accounts: this.accounts,
      comments: this.comments,
      issue: this.#issue,
      overlaps: this.#overlaps,
      units: editor.units,
      unitsLayer: this.#units,
      doc: () => editor.doc,
    });
    this.bindDoc();
  }

  /** (Re)binds to the editor's current document, after opening or a reset. */
  bindDoc(): void {
    this.#disposeTool();
    this.sync.bind(this.#editor.doc);
    this.#applyTool();
  }

  #territoryCount(): number {
    return this.sync.source.getFeatures().length + this.sync.lifted.getFeatures().length;
  }

  /**
   * Fits the view to the territories once the plan has loaded (first time
   * only), and says when they are drawn: `data-ready="true"` on the map
   * element after the first complete render (benchmarks and tests wait for it).
   */
  fitOnce(): void {
    if (this.#fitted) return;
    this.#fitted = true;
    this.refreshUnits();
    this.map.once("rendercomplete", () => this.map.getTargetElement()?.setAttribute("data-ready", "true"));
    if (this.sync.source.getFeatures().length + this.sync.lifted.getFeatures().length > 0) this.fitAll(0);
    else
      this.map
        .getView()
        .fit(transformExtent(INDONESIA, "EPSG:4326", "EPSG:3857"), { padding: this.#moves.padding([70, 40, 40, 40]) });
  }

  /**
   * A unit plan's units changed — the layer, who owns which unit, or the
   * colours: the territories' outlines (worked out from their units, for
   * labels, selection and hit tests) and the units' image follow. Only the
   * territories whose units changed are outlined again.
   */
  refreshUnits(): void {
    const units = this.#editor.units;
    const active = units.active && units.data !== null;
    const el = this.map.getTargetElement();
    this.#territoryLayer.setVisible(!active && !this.#showingVersion);
    if (active !== (this.sync.outlineOf !== null) || units.data !== this.#unitsData) {
      this.#unitsData = units.data;
      this.sync.outlineOf = active ? (id) => units.outline(id) : null;
      units.takeChanged();
      this.bindDoc();
    } else if (active) {
      this.sync.refreshOutlines(units.takeChanged());
    }
    units.dirty.clear();
    this.#units.refresh();
    el?.setAttribute("data-unit-count", String(active ? (units.data?.count ?? 0) : 0));
  }

  /**
   * The selected auto-balance proposal's moves (unit index → the territory it
   * would go to), drawn hatched over the units; null draws none. The map
   * element's `data-proposal-moves` says how many it holds.
   */
  setProposalMoves(moves: ReadonlyMap<number, string> | null): void {
    if (moves === this.#proposalMoves || (!moves?.size && !this.#proposalMoves?.size)) return;
    this.#proposalMoves = moves && moves.size > 0 ? moves : null;
    this.map.getTargetElement()?.setAttribute("data-proposal-moves", String(this.#proposalMoves?.size ?? 0));
    this.#units.refresh();
  }

  /**
   * Shows a version, or a comparison, instead of the plan now (null: the
   * plan now again). The live layers are hidden, not unbound: edits keep
   * arriving underneath and show again on "Back to now". The map element's
   * `data-version` says what is shown (`view` / `compare`).
   */
  showVersion(input: VersionMapInput | null): void {
    const on = input !== null;
    this.#showingVersion = on;
    this.version.show(input);
    const live = !on;
    const units = this.#editor.units;
    this.#territoryLayer.setVisible(live && !(units.active && units.data !== null));
    for (const layer of [
      this.#units.layer,
      this.#labelLayer,
      this.#overlaps.layer,
      this.#issue.layer,
      this.#selectionLayers.outlines,
      this.#selectionLayers.lifted,
      this.comments.layer,
    ]) {
      layer.setVisible(live);
    }
    this.accounts.setVisible(live && this.#accountsOn);
    this.competitors.setVisible(live && this.#competitorsOn);
    const el = this.map.getTargetElement();
    if (input) el?.setAttribute("data-version", input.kind);
    else el?.removeAttribute("data-version");
    el?.setAttribute("data-version-drawn", JSON.stringify(this.version.drawn));
  }

  /** The suggested shapes to draw as ghosts; the map element's `data-suggestion-ghosts` says how many. */
  setSuggestionGhosts(ghosts: readonly Ghost[]): void {
    this.#suggestions.set(ghosts);
    this.map.getTargetElement()?.setAttribute("data-suggestion-ghosts", String(this.#suggestions.count));
  }

  /** The current view as a PNG (every layer composited, the sea underneath). */
  exportPng(): Promise<Blob> {
    return exportMapPng(this.map);
  }

  fitAll(duration = 400): void {
    this.#moves.fit(this.sync.extent(), [70, 60, 70, 60], 14, duration);
  }

  zoomTo(id: string): void {
    const g = this.sync.getFeature(id)?.getGeometry();
    if (g) this.#moves.fit(g.getExtent(), [90, 80, 90, 80], 15, 400);
  }

  /** Zooms to an issue's box (and the highlight follows from the editor's state). */
  zoomToIssue(id: string): void {
    const issue = this.#editor.analysis.issue(id);
    if (issue) this.#moves.fitLonLat(issue.bbox);
  }

  /** Zooms to a lon/lat box (an activity entry's place); a point-sized box is centred, not zoomed into. */
  zoomToBox(box: [number, number, number, number]): void {
    this.#moves.fitLonLat(box);
  }

  /** Follow mode: move with this view (another person's), or stop with null. */
  followView(view: PresenceView | null): void {
    this.#follower.follow(view);
  }

  /** Territory colours or the balance choropleth (territory id → colour). */
  setFill(mode: FillMode, balance: Map<string, string>): void {
    const same =
      mode === this.#fill.mode &&
      (mode === "territory" ||
        (balance.size === this.#fill.balance.size && [...balance].every(([k, v]) => this.#fill.balance.get(k) === v)));
    if (same) return;
    this.#fill.mode = mode;
    this.#fill.balance = balance;
    this.#territoryLayer.changed();
    this.#units.refresh();
    this.#selectionLayers.changed();
    this.map.getTargetElement()?.setAttribute("data-fill", mode);
  }

  /** Territories outside this page's scoped edit link (issue 15): greyed on the map. */
  setOutside(ids: Set<string>): void {
    const before = this.#fill.outside ?? new Set<string>();
    if (before.size === ids.size && [...ids].every((id) => before.has(id))) return;
    this.#fill.outside = ids;
    this.#territoryLayer.changed();
    this.#units.refresh();
    this.#selectionLayers.changed();
    this.map.getTargetElement()?.setAttribute("data-outside-count", String(ids.size));
  }

  setAccounts(accounts: PlanAccounts): void {
    this.accounts.setAccounts(accounts);
  }

  setAccountColors(colors: readonly string[], states: Uint8Array): void {
    this.accounts.setColors(colors, states);
    // How many accounts are drawn in their final colour (not waiting for the analysis).
    const c = this.accounts.stateCounts();
    this.map
      .getTargetElement()
      ?.setAttribute("data-account-count", String(c.assigned + c.unassigned + c.conflict + c.pinned));
  }

  /** The plan's competitors, shown or not. */
  setCompetitors(points: PlanAccounts, visible: boolean): void {
    this.competitors.set(points);
    this.#competitorsOn = visible;
    this.competitors.setVisible(visible && !this.#showingVersion);
    this.map.getTargetElement()?.setAttribute("data-competitor-count", String(visible ? this.competitors.count : 0));
  }

  setAccountsVisible(on: boolean): void {
    this.#accountsOn = on;
    this.accounts.setVisible(on && !this.#showingVersion);
  }

  /** Hatches every overlap of the latest analysis. */
  setIssues(issues: readonly Issue[]): void {
    this.#overlaps.setIssues(issues);
  }

  /** Outlines an issue (its overlap, its territories or its accounts), or nothing. */
  setHighlight(issue: Issue | null, unassignedIds: readonly string[], accounts: PlanAccounts): void {
    const el = this.map.getTargetElement();
    if (!issue) {
      this.#issue.set(null, []);
      el?.removeAttribute("data-highlight");
      return;
    }
    this.#issue.show(
      issue,
      unassignedIds,
      (id) => this.sync.getFeature(id)?.getGeometry(),
      (ids) => this.accounts.coordinates(this.#accountIndices(accounts, ids)),
    );
    el?.setAttribute("data-highlight", issue.id);
  }

  /** Where these accounts are in the accounts' columns (ids not there are left out). */
  #accountIndices(accounts: PlanAccounts, ids: readonly string[]): number[] {
    if (this.#accountIndex?.accounts !== accounts) {
      const byId = new Map<string, number>();
      accounts.ids.forEach((id, i) => {
        byId.set(id, i);
      });
      this.#accountIndex = { accounts, byId };
    }
    const byId = this.#accountIndex.byId;
    const out: number[] = [];
    for (const id of ids) {
      const i = byId.get(id);
      if (i !== undefined) out.push(i);
    }
    return out;
  }

  /** Pins the listed threads (and the new comment's place, if one is being written). */
  setComments(pins: readonly PinInput[], selected: string | null, draft: [number, number] | null): void {
    this.comments.set(pins, selected, draft);
    this.map.getTargetElement()?.setAttribute("data-comment-count", String(this.comments.count));
  }

  /** Centres a place (a comment's pin), zooming in if the view is too far out to tell where it is. */
  zoomToPlace(at: [number, number]): void {
    this.#moves.centre(at);
  }

  placeElement(element: HTMLElement, at: [number, number]): () => void {
    return this.#moves.placeElement(element, at);
  }

  setTool(tool: Tool, selection: string[]): void {
    const selectionChanged =
      selection.length !== this.#selection.length || selection.some((id, i) => id !== this.#selection[i]);
    this.#selection = selection;
    const retool = tool !== this.#tool || selectionChanged;
    if (retool) {
      this.#tool = tool;
      this.#disposeTool();
    }
    // Reshape and move change the selected shapes on every pointer move: lift them out of the base image first.
    const lifted = tool === "reshape" || tool === "move" ? selection : [];
    this.#selectionLayers.setSelection(selection, retool ? lifted : null, tool === "reshape");
    if (retool) this.#applyTool();
    this.map.getTargetElement()?.setAttribute("data-tool", tool);
  }

  #applyTool(): void {
    const selected = this.#selection
      .map((id) => this.sync.getFeature(id))
      .filter((f): f is TerritoryFeature => f !== null);
    this.#handle = TOOLS[this.#tool]({
      map: this.map,
      sync: this.sync,
      editor: this.#editor,
      hits: this.#hits,
      selected,
    });
    for (const i of this.#handle.interactions) this.map.addInteraction(i);
  }

  #disposeTool(): void {
    if (!this.#handle) return;
    this.#handle.cancel?.();
    for (const i of this.#handle.interactions) this.map.removeInteraction(i);
    this.#handle.dispose?.();
    this.#handle = null;
  }

  cancelDrawing(): boolean {
    return this.#handle?.cancel?.() ?? false;
  }

  removeLastPoint(): boolean {
    return this.#handle?.removeLastPoint?.() ?? false;
  }

  #isTerritoryLayer = (l: Layer): boolean => l === this.#territoryLayer || l === this.#selectionLayers.lifted;

  /**
   * A click on the map: the active tool's sketch takes it, else a comment
   * pin, an account's dot (Select), the tool's own click (Merge, Comment),
   * and last the territory under it is selected (Shift adds, where the tool
   * allows several).
   */
  #onClick(e: MapClick): void {
    const editor = this.#editor;
    const tool = this.#handle;
    if (tool?.captures) return;
    // A version shown is read-only: nothing of the plan now to select under it.
    if (this.#showingVersion) return;
    const pin = this.#hits.pinAt(e.pixel);
    if (pin) {
      editor.comments.open(pin);
      return;
    }
    const account = tool?.accounts ? this.#hits.accountAt(e.coordinate) : null;
    if (account !== null) {
      editor.showAccount(account);
      return;
    }
    if (tool?.click?.(e)) return;
    if (editor.account) editor.showAccount(null);
    const id = this.#hits.territoryAt(e.pixel);
    const shift = (e.originalEvent as MouseEvent).shiftKey;
    if (!id) {
      if (!shift) editor.select([]);
      return;
    }
    if (shift && tool?.multiSelect) editor.toggleSelected(id);
    else editor.select([id]);
  }

  /** Live cursors and "who has what selected" outlines of the others. */
  setPeers(peers: Peer[]): void {
    this.#selectionLayers.setPeerColors(this.#peers.set(peers));
  }

  setStreets(on: boolean): void {
    if (on && !this.#streets) {
      this.#streets = createStreetLayer();
      // Above the offline basemap, below the territories.
      this.map.getLayers().insertAt(4, this.#streets);
    }
    this.#streets?.setVisible(on);
  }

  destroy(): void {
    this.#hover.destroy();
    this.#follower.destroy();
    this.#disposeTool();
    this.sync.destroy();
    this.accounts.dispose();
    this.map.setTarget(undefined);
    this.map.dispose();
  }
}
