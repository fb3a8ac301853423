/**
 * Diagonal stripes as a canvas pattern tile: a wash of `background`, then
 * lines of `stroke` from bottom left to top right, with the corner pieces
 * that make neighbouring tiles join into continuous stripes. Overlaps
 * (issue-layers.ts) and a proposal's moved units (units-layer.ts) are
 * hatched with it.
 */
export function hatchTile(size: number, background: string, stroke: string, lineWidth: number): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d");
  if (!ctx) return canvas;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = stroke;
  ctx.lineWidth = lineWidth;
  ctx.lineCap = "square";
  ctx.beginPath();
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.moveTo(-1, 1);
  ctx.lineTo(1, -1);
  ctx.moveTo(size - 1, size + 1);
  ctx.lineTo(size + 1, size - 1);
  ctx.stroke();
  return canvas;
}
