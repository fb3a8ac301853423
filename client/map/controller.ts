import Feature from "ol/Feature.js";
import OlMap from "ol/Map.js";
import { unByKey } from "ol/Observable.js";
import type MapBrowserEvent from "ol/MapBrowserEvent.js";
import View from "ol/View.js";
import { defaults as defaultControls, ScaleLine } from "ol/control.js";
import { isEmpty } from "ol/extent.js";
import Point from "ol/geom/Point.js";
import type TileLayer from "ol/layer/Tile.js";
import type Layer from "ol/layer/Layer.js";
import type VectorLayer from "ol/layer/Vector.js";
import type VectorImageLayer from "ol/layer/VectorImage.js";
import { fromLonLat, toLonLat, transformExtent } from "ol/proj.js";
import type OSM from "ol/source/OSM.js";
import VectorSource from "ol/source/Vector.js";
import type { Issue } from "../../shared/scoring/types.ts";
import type { PlanAccounts } from "../analysis/accounts.ts";
import type { Peer } from "../sync/presence.svelte.ts";
import type { FillMode } from "../state/analysis.svelte.ts";
import type { EditorState, MapApi, Tool } from "../state/editor.svelte.ts";
import { AccountsLayer, detectPointsRenderer } from "./accounts-layer.ts";
import { CommentLayer, type PinInput } from "./comment-layer.ts";
import { CompetitorsLayer } from "./competitors-layer.ts";
import { geometryToOl, olToGeometry, type TerritoryFeature } from "./convert.ts";
import { exportMapPng } from "./export-png.ts";
import { type Box, overlayPadding, type Padding } from "./fit-padding.ts";
import { ViewFollower } from "./follow.ts";
import type { PresenceView } from "../../shared/protocol/presence.ts";
import { drawTool } from "./interactions/draw.ts";
import { mergeTool } from "./interactions/merge.ts";
import { paintTool } from "./interactions/paint.ts";
import { reshapeTool } from "./interactions/reshape.ts";
import { splitTool } from "./interactions/split.ts";
import { moveTool } from "./interactions/translate.ts";
import type { ToolContext, ToolHandle } from "./interactions/types.ts";
import {
  createBasemap,
  createCursorLayer,
  createLabelLayer,
  createOverlayLayer,
  createStreetLayer,
  createTerritoryLayer,
} from "./layers.ts";
import { type HighlightPart, IssueHighlightLayer, issueColor, OverlapLayer } from "./issue-layers.ts";
import type { FillState, OverlayStyleState } from "./styles.ts";
import { TerritorySync } from "./territory-sync.ts";
import { UnitsLayer } from "./units-layer.ts";
import type { UnitsData } from "../../shared/units/compact.ts";

/** Java and its neighbours: the view while the plan loads. */
const DEFAULT_CENTER = fromLonLat([112, -4]);
const DEFAULT_ZOOM = 5;
/**
 * From this zoom on a click on an account's dot opens its card (and pins it,
 * for managers); further out the dots crowd so that a click meant for a
 * territory would land on an account.
 */
export const ACCOUNT_CLICK_ZOOM = 9;
/** Pixels around a dot that still count as a click on it. */
const ACCOUNT_HIT_PX = 3;
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
  #style: OverlayStyleState = {
    fill: this.#fill,
    selection: new Set(),
    peerColors: new Map(),
    lifted: new Set(),
    showVertices: false,
  };
  readonly accounts: AccountsLayer;
  #overlaps = new OverlapLayer();
  #issue = new IssueHighlightLayer();
  readonly comments = new CommentLayer();
  readonly competitors = new CompetitorsLayer();
  /** A unit plan's units: filled by territory, each border between territories drawn once. */
  #units: UnitsLayer;
  /** The layer the territory outlines were last worked out from. */
  #unitsData: UnitsData | null = null;
  #accountIndex: { accounts: PlanAccounts; byId: Map<string, number> } | null = null;
  #territoryLayer: VectorImageLayer<VectorSource<TerritoryFeature>>;
  #labelLayer: VectorLayer<VectorSource<TerritoryFeature>>;
  /** Selected territories (mine and others') that are not lifted: outlines drawn over the base image. */
  #highlight = new VectorSource<TerritoryFeature>();
  #highlightLayer: VectorLayer<VectorSource<TerritoryFeature>>;
  #liftedLayer: VectorLayer<VectorSource<TerritoryFeature>>;
  #cursors = new VectorSource<Feature<Point>>();
  #streets: TileLayer<OSM> | null = null;
  #tool: Tool = "select";
  #selection: string[] = [];
  #handle: ToolHandle | null = null;
  #fitted = false;
  #hoverFrame = 0;
  /** Follow mode: publishes my view, moves with the followed one, stops when I move. */
  #follower: ViewFollower;

  constructor(target: HTMLElement, editor: EditorState, onBasemapError: (e: unknown) => void) {
    this.#editor = editor;
    this.#territoryLayer = createTerritoryLayer(this.sync.source, this.#fill);
    const units = editor.units;
    const fill = this.#fill;
    this.#units = new UnitsLayer({
      get data() {
        return units.data;
      },
      get owner() {
        return units.owner;
      },
      colorOf: (id) =>
        fill.mode === "balance" ? (fill.balance.get(id) ?? null) : (editor.territories.get(id)?.color ?? null),
    });
    this.accounts = new AccountsLayer(detectPointsRenderer());
    this.#labelLayer = createLabelLayer(this.sync.source);
    this.#highlightLayer = createOverlayLayer(this.#highlight, this.#style, "selection");
    this.#liftedLayer = createOverlayLayer(this.sync.lifted, this.#style, "editing");
    this.sync.onChange = () => {
      this.#refreshHighlight();
      target.setAttribute("data-territory-count", String(this.#territoryCount()));
    };
    const basemap = createBasemap(onBasemapError);
    this.map = new OlMap({
      target,
      layers: [
        ...basemap.layers,
        this.#territoryLayer,
        this.#units.layer,
        this.#overlaps.layer,
        this.#highlightLayer,
        this.#liftedLayer,
        // Accounts above the territories being edited, so a reshape never hides them.
        this.accounts.layer,
        this.competitors.layer,
        this.#issue.layer,
        this.#labelLayer,
        // Pins above the labels: a comment is what the person came to see or write.
        this.comments.layer,
        createCursorLayer(this.#cursors),
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
    this.map.on("click", (e) => this.#onClick(e));
    this.map.on("pointermove", (e) => this.#onPointerMove(e));
    this.map.getViewport()?.addEventListener("pointerleave", () => {
      editor.presence.setCursor(null);
      editor.units.hover = null;
    });
    // A read-only handle for end-to-end tests and debugging in the console:
    // where a lon/lat is on screen, and what geometry the map shows for a territory.
    (target as HTMLElement & { wilayah?: unknown }).wilayah = {
      pixelFor: (lon: number, lat: number) => this.map.getPixelFromCoordinate(fromLonLat([lon, lat])),
      geometryOf: (id: string) => {
        const g = this.sync.getFeature(id)?.getGeometry();
        return g ? olToGeometry(g) : null;
      },
      featureCount: () => this.sync.source.getFeatures().length + this.sync.lifted.getFeatures().length,
      accountsRenderer: () => this.accounts.renderer,
      accountCount: () => this.accounts.count,
      accountStates: () => this.accounts.stateCounts(),
      /** The highlighted issue and how many shapes outline it. */
      highlighted: () => ({ issueId: this.#issue.issueId, features: this.#issue.featureCount }),
      overlapCount: () => this.#overlaps.source.getFeatures().length,
      /** A unit plan: the unit under a lon/lat (-1: none), its territory, and a unit's centre. */
      unitAt: (lon: number, lat: number) => editor.units.unitAt(lon, lat),
      unitOwner: (u: number) => editor.units.owner[u] ?? null,
      unitCentre: (u: number) => {
        const d = editor.units.data;
        return d && u >= 0 && u < d.count ? [d.lon[u], d.lat[u]] : null;
      },
      unitsOf: (territoryId: string) => editor.units.unitsOf(territoryId),
      /** Comment pins shown: thread id, lon/lat, open / resolved, selected. */
      commentPins: () => this.comments.pins(),
      /** The basemap's land outlines for the current zoom are loaded (screenshots wait for it). */
      basemapReady: () => {
        const zoom = this.map.getView().getZoom() ?? 0;
        return this.map
          .getLayers()
          .getArray()
          .some(
            (l) =>
              l.get("name") === "basemap-land" &&
              zoom > l.getMinZoom() &&
              zoom <= l.getMaxZoom() &&
              ((l as VectorImageLayer<VectorSource>).getSource()?.getFeatures().length ?? 0) > 0,
          );
      },
      view: () => {
        const v = this.map.getView();
        const [lon, lat] = toLonLat(v.getCenter() ?? [0, 0]);
        // moving: an animation (a glide, a kinetic pan) or a gesture is still under way.
        return { lon, lat, zoom: v.getZoom() ?? 0, moving: v.getAnimating() || v.getInteracting() };
      },
      map: this.map,
      doc: () => editor.doc,
    };
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
        .fit(transformExtent(INDONESIA, "EPSG:4326", "EPSG:3857"), { padding: this.#padding([70, 40, 40, 40]) });
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
    this.#territoryLayer.setVisible(!active);
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

  /** The current view as a PNG (every layer composited, the sea underneath). */
  exportPng(): Promise<Blob> {
    return exportMapPng(this.map);
  }

  fitAll(duration = 400): void {
    this.#follower.ownMove();
    const extent = this.sync.extent();
    if (!extent || isEmpty(extent) || !Number.isFinite(extent[0])) return;
    this.map.getView().fit(extent, { padding: this.#padding([70, 60, 70, 60]), maxZoom: 14, duration });
  }

  zoomTo(id: string): void {
    this.#follower.ownMove();
    const g = this.sync.getFeature(id)?.getGeometry();
    if (g)
      this.map.getView().fit(g.getExtent(), { padding: this.#padding([90, 80, 90, 80]), maxZoom: 15, duration: 400 });
  }

  /**
   * `base` plus the room taken by what floats over the map's edges (toolbar,
   * map-display card, hint bar: elements marked `data-map-overlay` beside the
   * map), so a fitted shape is never hidden under them.
   */
  #padding(base: Padding): Padding {
    const el = this.map.getTargetElement();
    const area = el?.parentElement;
    if (!el || !area) return base;
    const box = el.getBoundingClientRect();
    const overlays: Box[] = [];
    for (const o of area.querySelectorAll<HTMLElement>("[data-map-overlay]")) {
      const r = o.getBoundingClientRect();
      overlays.push({ x0: r.left - box.left, y0: r.top - box.top, x1: r.right - box.left, y1: r.bottom - box.top });
    }
    return overlayPadding({ width: box.width, height: box.height }, overlays, base);
  }

  /** Zooms to an issue's box (and the highlight follows from the editor's state). */
  zoomToIssue(id: string): void {
    const issue = this.#editor.analysis.issue(id);
    if (!issue) return;
    this.#follower.ownMove();
    const [x0, y0, x1, y1] = issue.bbox;
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    const extent = transformExtent([x0, y0, x1, y1], "EPSG:4326", "EPSG:3857");
    this.map.getView().fit(extent, { padding: this.#padding([110, 90, 110, 90]), maxZoom: 13, duration: 450 });
  }

  /** Zooms to a lon/lat box (an activity entry's place); a point-sized box is centred, not zoomed into. */
  zoomToBox(box: [number, number, number, number]): void {
    const [x0, y0, x1, y1] = box;
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    this.#follower.ownMove();
    const extent = transformExtent([x0, y0, x1, y1], "EPSG:4326", "EPSG:3857");
    this.map.getView().fit(extent, { padding: this.#padding([110, 90, 110, 90]), maxZoom: 13, duration: 450 });
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
    this.#highlightLayer.changed();
    this.#liftedLayer.changed();
    this.map.getTargetElement()?.setAttribute("data-fill", mode);
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
    this.competitors.setVisible(visible);
    this.map.getTargetElement()?.setAttribute("data-competitor-count", String(visible ? this.competitors.count : 0));
  }

  setAccountsVisible(on: boolean): void {
    this.accounts.setVisible(on);
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
    const parts: HighlightPart[] = [];
    const accountIds = issue.kind === "unassigned-accounts" ? unassignedIds : (issue.accountIds ?? []);
    if (issue.kind === "overlap" && issue.geometry) {
      parts.push({ role: "area", geometry: geometryToOl(issue.geometry) });
    } else if (issue.kind !== "unassigned-accounts") {
      for (const id of issue.territoryIds) {
        const g = this.sync.getFeature(id)?.getGeometry();
        if (g) parts.push({ role: "territory", geometry: g.clone(), color: issueColor(issue) });
      }
    }
    if (accountIds.length > 0 && accounts.count > 0) {
      const byId = this.#accountIds(accounts);
      const indices: number[] = [];
      for (const id of accountIds) {
        const i = byId.get(id);
        if (i !== undefined) indices.push(i);
      }
      const coordinates = this.accounts.coordinates(indices);
      if (coordinates.length > 0) parts.push({ role: "accounts", coordinates });
    }
    if (parts.length === 0) parts.push({ role: "marker", at: [issue.at[0], issue.at[1]] });
    this.#issue.set(issue.id, parts);
    el?.setAttribute("data-highlight", issue.id);
  }

  #accountIds(accounts: PlanAccounts): Map<string, number> {
    if (this.#accountIndex?.accounts !== accounts) {
      const byId = new Map<string, number>();
      accounts.ids.forEach((id, i) => {
        byId.set(id, i);
      });
      this.#accountIndex = { accounts, byId };
    }
    return this.#accountIndex.byId;
  }

  /** Pins the listed threads (and the new comment's place, if one is being written). */
  setComments(pins: readonly PinInput[], selected: string | null, draft: [number, number] | null): void {
    this.comments.set(pins, selected, draft);
    this.map.getTargetElement()?.setAttribute("data-comment-count", String(this.comments.count));
  }

  /** Centres a place (a comment's pin), zooming in if the view is too far out to tell where it is. */
  zoomToPlace(at: [number, number]): void {
    this.#follower.ownMove();
    const view = this.map.getView();
    view.animate({ center: fromLonLat(at), zoom: Math.max(view.getZoom() ?? 0, 10), duration: 400 });
  }

  /**
   * Keeps an element (absolutely placed over the map) beside a place as the
   * map moves: to the right of and below it, or flipped left / up near the
   * map's edges, and always inside the map. Not an ol/Overlay: overlays live
   * in the map's own stacking context, under the cards floating on the map.
   */
  placeElement(element: HTMLElement, at: [number, number]): () => void {
    const coordinate = fromLonLat(at);
    const place = () => {
      const pixel = this.map.getPixelFromCoordinate(coordinate);
      const size = this.map.getSize();
      if (!pixel || !size) return;
      const [px, py] = pixel as [number, number];
      const [width, height] = size as [number, number];
      const w = element.offsetWidth;
      const h = element.offsetHeight;
      const margin = 8;
      let x = px + 18;
      if (x + w > width - margin) x = px - w - 12;
      // Below the place; above it (clear of its pin) when there is no room below.
      let y = py + 6;
      if (y + h > height - margin) y = py - h - 38;
      x = Math.max(margin, Math.min(x, width - w - margin));
      y = Math.max(margin, Math.min(y, height - h - margin));
      element.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    };
    const key = this.map.on("postrender", place);
    place();
    return () => unByKey(key);
  }

  setTool(tool: Tool, selection: string[]): void {
    const selectionChanged =
      selection.length !== this.#selection.length || selection.some((id, i) => id !== this.#selection[i]);
    this.#selection = selection;
    this.#style.selection = new Set(selection);
    this.#style.showVertices = tool === "reshape";
    if (tool !== this.#tool || selectionChanged) {
      this.#tool = tool;
      this.#disposeTool();
      // Reshape and move change the selected shapes on every pointer move: lift them out of the base image first.
      const lifted = tool === "reshape" || tool === "move" ? selection : [];
      this.sync.lift(lifted);
      this.#style.lifted = new Set(lifted);
      this.#applyTool();
    }
    this.#refreshHighlight();
    this.map.getTargetElement()?.setAttribute("data-tool", tool);
  }

  #applyTool(): void {
    const ctx: ToolContext = { map: this.map, sync: this.sync, editor: this.#editor };
    const selected = this.#selection
      .map((id) => this.sync.getFeature(id))
      .filter((f): f is TerritoryFeature => f !== null);
    switch (this.#tool) {
      case "draw":
        this.#handle = drawTool(ctx);
        break;
      case "reshape":
        this.#handle = reshapeTool(ctx, selected.length === 1 ? (selected[0] as TerritoryFeature) : null);
        break;
      case "move":
        this.#handle = moveTool(ctx, selected);
        break;
      case "split":
        this.#handle = selected.length === 1 ? splitTool(ctx) : null;
        break;
      case "merge":
        this.#handle = mergeTool(ctx);
        break;
      case "paint":
        this.#handle = paintTool(ctx);
        break;
      case "fill":
        this.#handle = drawTool(ctx, "fill");
        break;
      default:
        this.#handle = null;
    }
    for (const i of this.#handle?.interactions ?? []) this.map.addInteraction(i);
  }

  /** Puts the selected (mine or others') and not lifted territories into the highlight source. */
  #refreshHighlight(): void {
    const want = new Set<string>();
    for (const id of this.#selection) if (!this.#style.lifted.has(id)) want.add(id);
    for (const id of this.#style.peerColors.keys()) if (!this.#style.lifted.has(id)) want.add(id);
    const features: TerritoryFeature[] = [];
    for (const id of want) {
      const f = this.sync.getFeature(id);
      if (f) features.push(f);
    }
    const current = this.#highlight.getFeatures();
    const same = current.length === features.length && features.every((f) => this.#highlight.hasFeature(f));
    if (!same) {
      this.#highlight.clear(true);
      this.#highlight.addFeatures(features);
    }
    this.#highlightLayer.changed();
    this.#liftedLayer.changed();
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

  #isTerritoryLayer = (l: Layer): boolean => l === this.#territoryLayer || l === this.#liftedLayer;

  /** In a unit plan: the territory of the unit under a pixel (null: none, or no unit). */
  #unitOwnerAt(pixel: number[]): string | null {
    const [lon, lat] = toLonLat(this.map.getCoordinateFromPixel(pixel));
    const u = this.#editor.units.unitAt(lon as number, lat as number);
    return u >= 0 ? (this.#editor.units.owner[u] ?? null) : null;
  }

  #territoryAt(pixel: number[]): string | null {
    if (this.#editor.units.active) return this.#unitOwnerAt(pixel);
    let found: string | null = null;
    this.map.forEachFeatureAtPixel(
      pixel,
      (f) => {
        const id = f.getId();
        if (typeof id === "string") {
          found = id;
          return true;
        }
        return false;
      },
      { layerFilter: this.#isTerritoryLayer, hitTolerance: 2 },
    );
    return found;
  }

  #isCommentLayer = (l: Layer): boolean => l === this.comments.layer;

  #pinAt(pixel: number[]): string | null {
    let found: string | null = null;
    this.map.forEachFeatureAtPixel(
      pixel,
      (f) => {
        found = CommentLayer.threadId(f);
        return found !== null;
      },
      { layerFilter: this.#isCommentLayer, hitTolerance: 3 },
    );
    return found;
  }

  /** Every territory under a pixel, topmost first: on a shared boundary, both neighbours. */
  #territoriesAt(pixel: number[]): string[] {
    if (this.#editor.units.active) {
      const id = this.#unitOwnerAt(pixel);
      return id ? [id] : [];
    }
    const ids: string[] = [];
    this.map.forEachFeatureAtPixel(
      pixel,
      (f) => {
        const id = f.getId();
        if (typeof id === "string" && !ids.includes(id)) ids.push(id);
      },
      { layerFilter: this.#isTerritoryLayer, hitTolerance: 4 },
    );
    return ids;
  }

  #onClick(e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>): void {
    const editor = this.#editor;
    if (this.#sketching()) return;
    const pin = this.#pinAt(e.pixel);
    if (pin) {
      editor.comments.open(pin);
      return;
    }
    if (this.#tool === "comment") {
      const [lon, lat] = toLonLat(e.coordinate);
      editor.comments.startDraft([lon as number, lat as number], this.#territoriesAt(e.pixel));
      return;
    }
    if (this.#tool === "select") {
      const account = this.#accountAt(e.coordinate);
      if (account !== null) {
        editor.showAccount(account);
        return;
      }
    }
    if (editor.account) editor.showAccount(null);
    const id = this.#territoryAt(e.pixel);
    const shift = (e.originalEvent as MouseEvent).shiftKey;
    if (this.#tool === "merge" && id && editor.selected && id !== editor.selected) {
      editor.merge(id);
      return;
    }
    if (!id) {
      if (!shift) editor.select([]);
      return;
    }
    if (shift && (this.#tool === "select" || this.#tool === "move")) editor.toggleSelected(id);
    else editor.select([id]);
  }

  /** The id of the account whose dot is under a map coordinate, when zoomed in enough to tell dots apart. */
  #accountAt(coordinate: number[]): string | null {
    const view = this.map.getView();
    if ((view.getZoom() ?? 0) < ACCOUNT_CLICK_ZOOM) return null;
    const i = this.accounts.nearest(coordinate, view.getResolution() ?? 1, ACCOUNT_HIT_PX);
    return i >= 0 ? this.accounts.idAt(i) : null;
  }

  #onPointerMove(e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>): void {
    const [lon, lat] = toLonLat(e.coordinate);
    this.#editor.presence.setCursor([lon as number, lat as number]);
    if (e.dragging || this.#hoverFrame) return;
    const pixel = e.pixel;
    const coordinate = e.coordinate;
    this.#hoverFrame = requestAnimationFrame(() => {
      this.#hoverFrame = 0;
      this.#hoverUnit(pixel, coordinate);
      const clickable = !this.#sketching();
      const overPin =
        clickable &&
        (this.map.hasFeatureAtPixel(pixel, { layerFilter: this.#isCommentLayer, hitTolerance: 3 }) ||
          (this.#tool === "select" && this.#accountAt(coordinate) !== null));
      const over =
        clickable &&
        (overPin ||
          (this.#editor.units.active
            ? this.#unitOwnerAt(pixel) !== null
            : this.map.hasFeatureAtPixel(pixel, { layerFilter: this.#isTerritoryLayer, hitTolerance: 2 })));
      const el = this.map.getViewport();
      if (!el) return;
      if (overPin) el.style.cursor = "pointer";
      else if (this.#tool === "comment") el.style.cursor = "crosshair";
      else el.style.cursor = over ? (this.#tool === "move" && this.#selection.length > 0 ? "move" : "pointer") : "";
    });
  }

  /** Whether a click is a sketch's (a point of a drawing, a cut, a ring, a paint stroke), not a selection. */
  #sketching(): boolean {
    const tool = this.#tool;
    const one = this.#selection.length === 1;
    return tool === "draw" || tool === "fill" || ((tool === "split" || tool === "paint") && one);
  }

  /** In a unit plan: which unit is under the pointer, for its card (name, figures, accounts). */
  #hoverUnit(pixel: number[], coordinate: number[]): void {
    const units = this.#editor.units;
    if (!units.active || !units.data) return;
    const [lon, lat] = toLonLat(coordinate);
    const u = units.unitAt(lon as number, lat as number);
    const now = units.hover;
    if (u < 0) {
      if (now) units.hover = null;
      return;
    }
    if (now?.unit === u && now.x === pixel[0] && now.y === pixel[1]) return;
    units.hover = { unit: u, x: pixel[0] as number, y: pixel[1] as number };
  }

  /** Live cursors and "who has what selected" outlines of the others. */
  setPeers(peers: Peer[]): void {
    const seen = new Set<string>();
    const added: Feature<Point>[] = [];
    const peerColors = new Map<string, string>();
    for (const peer of peers) {
      for (const id of peer.selection) if (!peerColors.has(id)) peerColors.set(id, peer.user.color);
      if (!peer.cursor) continue;
      const key = String(peer.clientId);
      seen.add(key);
      const coordinate = fromLonLat(peer.cursor);
      const existing = this.#cursors.getFeatureById(key) as Feature<Point> | null;
      if (existing) {
        existing.getGeometry()?.setCoordinates(coordinate);
        if (existing.get("name") !== peer.user.name || existing.get("color") !== peer.user.color) {
          existing.setProperties({ name: peer.user.name, color: peer.user.color });
        }
      } else {
        const f = new Feature({ geometry: new Point(coordinate), name: peer.user.name, color: peer.user.color });
        f.setId(key);
        added.push(f);
      }
    }
    for (const f of this.#cursors.getFeatures()) if (!seen.has(String(f.getId()))) this.#cursors.removeFeature(f);
    if (added.length) this.#cursors.addFeatures(added);
    const changed =
      peerColors.size !== this.#style.peerColors.size ||
      [...peerColors].some(([k, v]) => this.#style.peerColors.get(k) !== v);
    if (changed) {
      this.#style.peerColors = peerColors;
      this.#refreshHighlight();
    }
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
    cancelAnimationFrame(this.#hoverFrame);
    this.#follower.destroy();
    this.#disposeTool();
    this.sync.destroy();
    this.accounts.dispose();
    this.map.setTarget(undefined);
    this.map.dispose();
  }
}
