import Feature, { type FeatureLike } from "ol/Feature.js";
import Point from "ol/geom/Point.js";
import VectorLayer from "ol/layer/Vector.js";
import { fromLonLat, toLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, Icon, Stroke, Style, Text } from "ol/style.js";

/** What the map needs of a thread to pin it. */
export interface PinInput {
  id: string;
  at: [number, number];
  resolved: boolean;
  /** The first comment and its replies. */
  messages: number;
}

type PinKind = "open" | "resolved" | "draft";

/** Pin colours: amber reads on every territory colour and on the sea; resolved fades to grey. */
const PIN_COLORS: Record<PinKind, string> = { open: "#d97706", resolved: "#9ca3af", draft: "#0f766e" };
const SELECTED_RING = "#1f2937";
const DRAFT_ID = "__draft";
const SIZE = 30;
/** The pin's point: its sharp lower-left corner, like a speech bubble's tail. */
const TIP: [number, number] = [4, 27];

/**
 * A speech bubble whose lower-left corner is sharp and sits on the place
 * commented on: three quarters of a circle closed by a right angle.
 */
function pinSvg(kind: PinKind, selected: boolean, glyph: "dots" | "check" | "plus" | "none"): string {
  const fill = PIN_COLORS[kind];
  const ring = selected ? SELECTED_RING : "#ffffff";
  const body = "M4 27 L4 15 A11 11 0 1 1 15 26 Z";
  const glyphs = {
    dots: '<circle cx="10.5" cy="15" r="1.6" fill="#fff"/><circle cx="15" cy="15" r="1.6" fill="#fff"/><circle cx="19.5" cy="15" r="1.6" fill="#fff"/>',
    check:
      '<path d="M10.5 15.2l3 3 6-6.2" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>',
    plus: '<path d="M15 10v10M10 15h10" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/>',
    none: "",
  };
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">` +
    `<path d="${body}" transform="translate(0.6 1.2)" fill="rgba(17,24,39,0.28)"/>` +
    `<path d="${body}" fill="${fill}" stroke="${ring}" stroke-width="${selected ? 2.4 : 1.8}" stroke-linejoin="round"/>` +
    glyphs[glyph] +
    "</svg>";
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

const styleCache = new Map<string, Style>();

function pinStyle(feature: FeatureLike): Style {
  const kind = feature.get("kind") as PinKind;
  const selected = feature.get("selected") === true;
  const messages = (feature.get("messages") as number | undefined) ?? 1;
  // A count once there are replies; otherwise a glyph saying what the pin is.
  const count = kind === "open" && messages > 1 ? String(Math.min(messages, 99)) : "";
  const glyph = kind === "draft" ? "plus" : kind === "resolved" ? "check" : count ? "none" : "dots";
  const key = `${kind}|${selected}|${count}`;
  let style = styleCache.get(key);
  if (!style) {
    const scale = selected || kind === "draft" ? 1.2 : kind === "resolved" ? 0.85 : 1;
    style = new Style({
      image: new Icon({
        src: pinSvg(kind, selected, glyph),
        anchor: TIP,
        anchorXUnits: "pixels",
        anchorYUnits: "pixels",
        scale,
      }),
      text: count
        ? new Text({
            text: count,
            font: '700 11.5px "Inter", system-ui, sans-serif',
            fill: new Fill({ color: "#ffffff" }),
            stroke: new Stroke({ color: PIN_COLORS[kind], width: 1 }),
            // The bubble's centre, relative to the tip, at this scale.
            offsetX: (15 - TIP[0]) * scale,
            offsetY: (15 - TIP[1]) * scale + 0.5,
          })
        : undefined,
      // Selected and new pins above the others; open above resolved.
      zIndex: kind === "draft" ? 4 : selected ? 3 : kind === "open" ? 2 : 1,
    });
    styleCache.set(key, style);
  }
  return style;
}

/**
 * Comment pins: one per listed thread, the selected one larger with a dark
 * ring, and a teal "+" where a new comment is being written. Updated in
 * place (a reply changes one pin's count, not the whole layer).
 */
export class CommentLayer {
  readonly source = new VectorSource<Feature<Point>>({ wrapX: false });
  readonly layer = new VectorLayer({
    source: this.source,
    style: pinStyle,
    updateWhileInteracting: true,
    updateWhileAnimating: true,
    properties: { name: "comments" },
  });

  set(pins: readonly PinInput[], selected: string | null, draft: [number, number] | null): void {
    const seen = new Set<string>();
    const added: Feature<Point>[] = [];
    const place = (id: string, at: [number, number], props: Record<string, unknown>) => {
      seen.add(id);
      const coordinate = fromLonLat(at);
      const existing = this.source.getFeatureById(id) as Feature<Point> | null;
      if (!existing) {
        const f = new Feature<Point>({ geometry: new Point(coordinate), ...props });
        f.setId(id);
        added.push(f);
        return;
      }
      const [x, y] = existing.getGeometry()?.getCoordinates() ?? [];
      if (x !== coordinate[0] || y !== coordinate[1]) existing.getGeometry()?.setCoordinates(coordinate);
      if (Object.entries(props).some(([k, v]) => existing.get(k) !== v)) existing.setProperties(props);
    };
    for (const p of pins) {
      place(p.id, p.at, { kind: p.resolved ? "resolved" : "open", selected: p.id === selected, messages: p.messages });
    }
    if (draft) place(DRAFT_ID, draft, { kind: "draft", selected: false, messages: 0 });
    for (const f of this.source.getFeatures()) if (!seen.has(f.getId() as string)) this.source.removeFeature(f);
    if (added.length) this.source.addFeatures(added);
  }

  /** Thread pins on the map (the draft's is not one). */
  get count(): number {
    return this.source.getFeatures().length - (this.source.getFeatureById(DRAFT_ID) ? 1 : 0);
  }

  /** Each pin's thread id, place and look: for tests and the console. */
  pins(): { id: string; at: [number, number]; kind: PinKind; selected: boolean }[] {
    return this.source
      .getFeatures()
      .filter((f) => f.getId() !== DRAFT_ID)
      .map((f) => ({
        id: f.getId() as string,
        at: toLonLat(f.getGeometry()?.getCoordinates() ?? [0, 0]) as [number, number],
        kind: f.get("kind") as PinKind,
        selected: f.get("selected") === true,
      }));
  }

  /** The thread id of a pin feature; null for the draft's pin or anything else. */
  static threadId(feature: FeatureLike): string | null {
    const id = feature.getId();
    return typeof id === "string" && id !== DRAFT_ID ? id : null;
  }
}
