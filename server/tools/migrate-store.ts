import path from "node:path";
import { parseArgs } from "node:util";
import { copyStore, describeCopy } from "../persistence/copy-store.ts";
import { LowdbStore } from "../persistence/lowdb-store.ts";
import { PgStore } from "../persistence/pg-store.ts";
import type { PlanStore } from "../persistence/store.ts";

/**
 * `npm run migrate-store -- --from data-dir:./data --to postgres://…` (issue 16):
 * copies every plan of one store into another, and back
 * (`--from postgres://… --to data-dir:./out`). Prints what it copied per plan
 * and a total; a plan that exists at the target is skipped unless
 * `--overwrite`. Run it with the servers stopped (or the plans idle): it
 * reads each plan once, as it is then.
 */
const USAGE =
  "usage: npm run migrate-store -- --from <data-dir:PATH | postgres://…> --to <data-dir:PATH | postgres://…> [--schema NAME] [--overwrite]";

async function openEnd(spec: string, schema: string | undefined, flag: string): Promise<PlanStore> {
  if (spec.startsWith("data-dir:")) return new LowdbStore(path.resolve(spec.slice("data-dir:".length)));
  if (/^postgres(ql)?:\/\//.test(spec)) return PgStore.open({ url: spec, schema });
  throw new Error(`${flag} must be data-dir:<folder> or a postgres:// URL; ${USAGE}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      schema: { type: "string" },
      overwrite: { type: "boolean", default: false },
    },
  });
  if (!values.from || !values.to) {
    console.error(USAGE);
    return 2;
  }
  const from = await openEnd(values.from, values.schema, "--from");
  const to = await openEnd(values.to, values.schema, "--to");
  try {
    const started = Date.now();
    const { plans, server } = await copyStore(from, to, {
      overwrite: values.overwrite,
      onPlan: (c) => console.log(describeCopy(c)),
    });
    for (const line of server) console.log(line);
    const copied = plans.filter((p) => !p.skipped);
    const sum = (f: (p: (typeof plans)[number]) => number) => copied.reduce((n, p) => n + f(p), 0);
    console.log(
      `copied ${copied.length} of ${plans.length} plans (${plans.length - copied.length} skipped): ` +
        `${sum((p) => Object.keys(p.documents).length)} documents, ${sum((p) => p.versions)} versions, ` +
        `${sum((p) => p.activity)} activity entries, ${sum((p) => p.scores)} scores, in ${Date.now() - started} ms. ` +
        "Not carried: edit history before the copy (replay on the target starts at it).",
    );
    return plans.some((p) => p.failed || p.damagedVersions.length > 0) ? 1 : 0;
  } finally {
    await from.close();
    await to.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`migrate-store: ${e.message}`);
    process.exit(1);
  },
);
