/**
 * `#rrggbb` colours, for the map's styles and the panels alike: one parser
 * and what is built on it. Territory colours are validated as `#rrggbb`
 * (shared/doc/territory.ts), as are people's (state/identity.svelte.ts).
 */

/**
 * The red, green and blue of a `#rrggbb` colour, 0–255 each.
 *
 * @example rgb("#1b9e77") // [27, 158, 119]
 */
export function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * A colour with transparency, as CSS and canvas read it.
 *
 * @example hexToRgba("#1b9e77", 0.5) // "rgba(27, 158, 119, 0.5)"
 */
export function hexToRgba(hex: string, alpha: number): string {
  const [r, g, b] = rgb(hex);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * A darker shade of a colour, for outlines that read on the fill.
 *
 * @example darken("#ffffff", 0.5) // "#808080"
 */
export function darken(hex: string, factor = 0.72): string {
  const [r, g, b] = rgb(hex);
  return `#${channel(r * factor)}${channel(g * factor)}${channel(b * factor)}`;
}

/**
 * Linear mix of two `#rrggbb` colours in sRGB: `f` 0 is `a`, 1 is `b`.
 *
 * @example mix("#000000", "#ffffff", 0.5) // "#808080"
 */
export function mix(a: string, b: string, f: number): string {
  const x = rgb(a);
  const y = rgb(b);
  const c = (i: 0 | 1 | 2) => channel(x[i] + (y[i] - x[i]) * f);
  return `#${c(0)}${c(1)}${c(2)}`;
}

function channel(v: number): string {
  return Math.round(v).toString(16).padStart(2, "0");
}

/**
 * One colour of `palette` per id, always the same: a person's colour where
 * they are not here to tell theirs (the feed, a replay).
 *
 * @example stableColor("p-ani", ["#1b9e77", "#d95f02"]) // the same of the two every time
 */
export function stableColor(id: string, palette: readonly string[]): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return palette[Math.abs(h) % palette.length] as string;
}
