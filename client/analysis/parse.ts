import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";

/**
 * Reads an analysis message (JSON, from the server's message 21 or
 * `GET /api/plans/:id/analysis`). The server is trusted to send the shape of
 * {@link AnalysisMessage}; this only refuses what would crash the panels (a
 * proxy's error page, a truncated frame), so a bad message is dropped and
 * the last good analysis stays on screen.
 */
export function parseAnalysisMessage(json: string): AnalysisMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  return isAnalysisMessage(v) ? v : null;
}

export function isAnalysisMessage(v: unknown): v is AnalysisMessage {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Partial<AnalysisMessage>;
  if (!Array.isArray(m.territories) || !Array.isArray(m.issues)) return false;
  const b = m.balance;
  if (
    typeof b !== "object" ||
    b === null ||
    (typeof b.score !== "number" && b.score !== null) ||
    !Array.isArray(b.metricNames)
  ) {
    return false;
  }
  if (typeof b.metrics !== "object" || b.metrics === null) return false;
  for (const t of m.territories) {
    if (typeof t !== "object" || t === null || typeof t.id !== "string" || typeof t.accounts !== "number") return false;
  }
  for (const i of m.issues) {
    if (typeof i !== "object" || i === null || typeof i.id !== "string" || typeof i.kind !== "string") return false;
  }
  if (m.accountTerritory !== undefined && !Array.isArray(m.accountTerritory)) return false;
  if (m.seq !== undefined && typeof m.seq !== "number") return false;
  return true;
}
