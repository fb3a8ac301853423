import type OlMap from "ol/Map.js";
import { unByKey } from "ol/Observable.js";

/**
 * The current map view as a PNG, the way OpenLayers' "export-map" example
 * does it: once the next frame is complete, draw every layer canvas (the
 * offline basemap, territories, the accounts whether canvas or WebGL, labels,
 * pins) into one canvas with its opacity and CSS transform. The map
 * element's own background (the sea) goes underneath. At the device's pixel
 * ratio, so the image is as sharp as the screen.
 *
 * WebGL canvases are read inside the `rendercomplete` handler, in the same
 * task as the frame that drew them, while their drawing buffer still holds
 * it. A tile layer from another origin without CORS would taint the canvas:
 * OSM's tiles are requested with `crossOrigin: "anonymous"`, so they do not.
 */
export function exportMapPng(map: OlMap, background?: string, timeoutMs = 15_000): Promise<Blob> {
  return new Promise((resolve, reject) => {
    // Tiles that never arrive (the streets layer offline) would keep the frame from completing.
    const timer = setTimeout(() => {
      unByKey(key);
      reject(new Error("the map did not finish drawing"));
    }, timeoutMs);
    const key = map.once("rendercomplete", () => {
      clearTimeout(timer);
      try {
        const canvas = composeMap(map, background);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the map could not be encoded as PNG"))));
      } catch (e) {
        reject(e);
      }
    });
    map.render();
  });
}

/** CSS `matrix(a, b, c, d, e, f)` → its six numbers; null for anything else. */
export function parseMatrix(transform: string): [number, number, number, number, number, number] | null {
  const m = /^matrix\(([^()]*)\)$/.exec(transform.trim());
  if (!m) return null;
  const n = (m[1] as string).split(",").map(Number);
  return n.length === 6 && n.every(Number.isFinite) ? (n as [number, number, number, number, number, number]) : null;
}

function composeMap(map: OlMap, background?: string): HTMLCanvasElement {
  const size = map.getSize();
  if (!size) throw new Error("the map is not shown");
  const [width, height] = size as [number, number];
  const ratio = Math.max(1, window.devicePixelRatio || 1);
  const out = document.createElement("canvas");
  out.width = Math.round(width * ratio);
  out.height = Math.round(height * ratio);
  const ctx = out.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas");
  const target = map.getTargetElement();
  const sea = background ?? (target ? getComputedStyle(target).backgroundColor : "");
  if (sea && sea !== "rgba(0, 0, 0, 0)" && sea !== "transparent") {
    ctx.fillStyle = sea;
    ctx.fillRect(0, 0, out.width, out.height);
  }
  const viewport = map.getViewport();
  const canvases = viewport ? viewport.querySelectorAll<HTMLCanvasElement>(".ol-layer canvas, canvas.ol-layer") : [];
  for (const canvas of canvases) {
    if (canvas.width === 0 || canvas.height === 0) continue;
    const parent = canvas.parentElement;
    const opacity = parent?.style.opacity || canvas.style.opacity;
    ctx.globalAlpha = opacity === "" || opacity === undefined ? 1 : Number(opacity);
    // The canvas's pixels → CSS pixels of the map (its transform), then → the export's pixels.
    const [a, b, c, d, e, f] = parseMatrix(canvas.style.transform) ?? [
      (Number.parseFloat(canvas.style.width) || width) / canvas.width,
      0,
      0,
      (Number.parseFloat(canvas.style.height) || height) / canvas.height,
      0,
      0,
    ];
    ctx.setTransform(a * ratio, b * ratio, c * ratio, d * ratio, e * ratio, f * ratio);
    const fill = parent?.style.backgroundColor;
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    ctx.drawImage(canvas, 0, 0);
  }
  ctx.globalAlpha = 1;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return out;
}

/** A file name for the export: the plan's name (letters, digits, dashes) and today's date. */
export function pngFileName(planName: string, now = new Date()): string {
  const slug =
    planName
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "map";
  const day = now.toISOString().slice(0, 10);
  return `${slug}-${day}.png`;
}
