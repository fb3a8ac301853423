import fs from "node:fs/promises";
import * as Y from "yjs";
import { transact } from "../../shared/doc/origins.ts";
import { writeAccountsVersion, writeTerritory } from "../../shared/doc/schema.ts";
import { type Territory, validateNewTerritory } from "../../shared/doc/territory.ts";
import { type Account, AccountIndex } from "../../shared/scoring/accounts.ts";
import { Analyzer } from "../../shared/scoring/analyzer.ts";
import { newAccess } from "../access/tokens.ts";
import type { PlanStore } from "../persistence/store.ts";
import { demoAccounts, type Place } from "./accounts.ts";

/** The id of the demo plan that servers before issue 9 kept, with its links public. */
export const OLD_DEMO_PLAN_ID = "demo";
export const DEMO_NAME = "Demo: Java sales territories";
const DEMO_FILE = new URL("./java-territories.geojson", import.meta.url);
const PLACES_FILE = new URL("./java-cities.json", import.meta.url);

/**
 * What every copy of the demo starts from: the plan document (territories
 * on Java, accounts version 1) as one Yjs update, and 6,000 demo accounts
 * around real towns (see server/demo/README.md). Not a plan anyone can open.
 */
export interface DemoTemplate {
  name: string;
  /** The whole plan document, to append to a new plan's log. */
  update: Uint8Array;
  accounts: Account[];
}

let template: Promise<DemoTemplate> | null = null;

/**
 * The template, generated on first use (about 0.1 s: the territories checked,
 * the accounts generated) and kept for the life of the process: every copy
 * after the first only writes it out.
 */
export function demoTemplate(): Promise<DemoTemplate> {
  if (!template) {
    template = buildTemplate();
    template.catch(() => {
      template = null;
    });
  }
  return template;
}

async function buildTemplate(): Promise<DemoTemplate> {
  const data = JSON.parse(await fs.readFile(DEMO_FILE, "utf8")) as {
    features: { id?: string; geometry: unknown; properties: Record<string, unknown> }[];
  };
  const territories = data.features.map((f, i) => {
    const { id, ...props } = f.properties;
    const t = validateNewTerritory(String(id ?? f.id ?? `t${i + 1}`), f.geometry, props, i);
    if (!t.ok) throw new Error(`demo territory ${i + 1}: ${t.error}`);
    return t.value;
  });
  const places = JSON.parse(await fs.readFile(PLACES_FILE, "utf8")) as Place[];
  const accounts = demoAccounts(
    places,
    territories.map((t) => t.geometry),
  );
  withTargets(territories, accounts);
  const doc = new Y.Doc();
  transact(doc, { kind: "system", reason: "demo plan" }, () => {
    for (const t of territories) writeTerritory(doc, t);
    writeAccountsVersion(doc, 1);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { name: DEMO_NAME, update, accounts };
}

/**
 * Realistic revenue targets, so the Targets tab and the wall view show
 * something on first start (issue 10): each territory's target is its demo
 * revenue times a fixed factor between 0.8 and 1.3, rounded to two figures,
 * so some territories are behind, some on track and some have achieved
 * theirs (achievement = actual ÷ target).
 */
export function withTargets(territories: Territory[], accounts: readonly Account[]): void {
  const analyzer = new Analyzer(new AccountIndex([...accounts]), { allowedDeviation: 0.15 });
  for (const t of territories) analyzer.setTerritory(t);
  const revenue = new Map(analyzer.analyze().territories.map((m) => [m.id, m.sums.revenue ?? 0]));
  const factors = [1.05, 0.9, 1.25, 0.95, 1.1, 0.85, 1.3, 1.0, 0.8, 1.15];
  territories.forEach((t, i) => {
    const actual = revenue.get(t.id) ?? 0;
    if (actual <= 0) return;
    const raw = actual * (factors[i % factors.length] as number);
    const step = 10 ** Math.max(0, Math.floor(Math.log10(raw)) - 1);
    const target = Math.round(raw / step) * step;
    t.targets = { ...t.targets, revenue: target };
  });
}

/**
 * Servers before issue 9 kept one shared demo plan whose links, the edit link
 * included, anyone could fetch. Those links were public, so they are
 * replaced (anyone holding them loses access), and the readable tokens are
 * dropped. The plan itself is kept, in case someone's work is in it; its new
 * links go to the server log, once.
 */
export async function retirePublicDemo(store: PlanStore): Promise<void> {
  const existing = await store.getPlan(OLD_DEMO_PLAN_ID).catch(() => null);
  if (!existing?.publicTokens) return;
  const { access, tokens } = newAccess();
  await store.updatePlan(OLD_DEMO_PLAN_ID, ({ publicTokens: _dropped, ...meta }) => ({ ...meta, access }));
  console.log(
    `[demo] the old shared demo plan's public links were replaced; its new links: ${Object.entries(tokens)
      .map(([role, token]) => `${role}: /plan/${OLD_DEMO_PLAN_ID}?token=${token}`)
      .join("  ")}`,
  );
}
