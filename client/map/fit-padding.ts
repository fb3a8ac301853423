/**
 * How much of the map a fit must leave free for what floats over it (the
 * toolbar, the map-display card, the hint bar), so that "Zoom to" shows a
 * territory beside them rather than under them (issue 10). Pure: rectangles
 * in, OpenLayers padding out.
 */

/** A rectangle in pixels relative to the map's top-left corner. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** OpenLayers' order: top, right, bottom, left. */
export type Padding = [number, number, number, number];

/** Room kept between an overlay and the fitted shape. */
const GAP = 14;
/** A fit never keeps less than this share of the map's width or height for the shape. */
const MIN_SHARE = 0.3;

/**
 * The padding for a fit: `base` on every side, more on a side an overlay
 * covers. Each overlay claims the one side that costs the map least (the
 * toolbar across the top claims the top; a card in the bottom-right corner
 * the right, where it takes a smaller share than from the bottom). If the
 * claims would leave less than 30 % of the map on an axis, that axis keeps
 * its base padding: a small map shows the shape under a card rather than
 * not at all.
 *
 * @example overlayPadding({ width: 900, height: 660 }, [{ x0: 12, y0: 12, x1: 888, y1: 108 }], [90, 80, 90, 80]) // [122, 80, 90, 80]
 */
export function overlayPadding(
  map: { width: number; height: number },
  overlays: readonly Box[],
  base: Padding,
): Padding {
  const { width: W, height: H } = map;
  const out: Padding = [...base];
  if (!(W > 0 && H > 0)) return out;
  for (const o of overlays) {
    const x0 = Math.max(0, o.x0);
    const y0 = Math.max(0, o.y0);
    const x1 = Math.min(W, o.x1);
    const y1 = Math.min(H, o.y1);
    if (x1 <= x0 || y1 <= y0) continue;
    const claims: [number, number, number][] = [
      // [side, padding needed, share of the map it costs]
      [0, y1 + GAP, (y1 + GAP) / H],
      [1, W - x0 + GAP, (W - x0 + GAP) / W],
      [2, H - y0 + GAP, (H - y0 + GAP) / H],
      [3, x1 + GAP, (x1 + GAP) / W],
    ];
    claims.sort((a, b) => a[2] - b[2]);
    const [side, need] = claims[0] as [number, number, number];
    out[side] = Math.max(out[side] as number, Math.ceil(need));
  }
  if (out[0] + out[2] > H * (1 - MIN_SHARE)) {
    out[0] = base[0];
    out[2] = base[2];
  }
  if (out[1] + out[3] > W * (1 - MIN_SHARE)) {
    out[1] = base[1];
    out[3] = base[3];
  }
  return out;
}
