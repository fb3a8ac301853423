import type { ProposalSummary } from "../../shared/balance/proposal.ts";

/**
 * A proposal's summary as message 23 carries it, for the tests of this
 * folder: Ani's run on revenue, running, started at 10:0<last digit of id>.
 */
export function summaryFixture(id: string, patch: Partial<ProposalSummary> = {}): ProposalSummary {
  return {
    id,
    status: "running",
    progress: 0,
    by: { id: "ani", name: "Ani", role: "edit" },
    createdAt: `2025-05-01T10:0${id.slice(-1)}:00.000Z`,
    endedAt: null,
    settings: {
      metrics: { revenue: 1 },
      shares: {},
      contiguous: true,
      compactness: 0.6,
      locked: [],
      lockedUnits: [],
      maxMoved: null,
      scope: null,
      seconds: 10,
      seed: 42,
    },
    layerVersion: 1,
    best: null,
    granularity: {},
    accountsMoved: 0,
    error: null,
    accepted: null,
    undone: null,
    moveCount: 0,
    staleCount: 0,
    score: null,
    ...patch,
  };
}
