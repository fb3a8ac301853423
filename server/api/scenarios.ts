import type { Scenarios } from "../scenarios/scenarios.ts";
import type { PlanApi } from "./context.ts";
import { linkOrigin, queryFlag, readJson, sendJson, sendLargeJsonText } from "./http.ts";
import { admitPlanCreation } from "./plans.ts";
import type { Router } from "./router.ts";
import { refusals } from "./versions.ts";

/** Bodies of scenario calls are small JSON objects. */
const MAX_BODY = 64 * 1024;

/**
 * Scenarios over REST (issue 14; server/README.md, *Scenarios*): make one
 * from the plan now or from a version, list a plan's scenarios, and
 * promote a scenario into its origin (with a preview). A scenario is a plan:
 * it is opened, edited, compared (`GET …/compare?from=origin`) and deleted
 * (`DELETE /api/plans/:id`) like any plan, with its own links or its
 * origin's.
 */
export function scenarioRoutes(router: Router, api: PlanApi, scenarios: Scenarios): void {
  router.on("POST", "/api/plans/:id/scenarios", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "make a scenario");
    // A scenario is a plan: it counts against PLANS_PER_HOUR like any (without ADMIN_TOKEN).
    admitPlanCreation(api, req, res);
    const body = await readJson(req, MAX_BODY);
    const origin = linkOrigin(req, api.ctx.config);
    const made = await api.withRoom(id as string, (room) =>
      refusals(() => scenarios.create(room, caller.meta, caller.actor, body, origin)),
    );
    sendJson(res, 201, made);
  });

  router.on("GET", "/api/plans/:id/scenarios", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    sendJson(res, 200, { scenarios: [...(await scenarios.list(id as string))].reverse() });
  });

  router.on("POST", "/api/plans/:id/promote", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "promote a scenario");
    const preview = queryFlag(url, "dryRun");
    const body = await readJson(req, MAX_BODY);
    const answer = await api.withRoom(id as string, (room) =>
      refusals(() =>
        scenarios.promoter.promote(room, caller.meta.origin, caller.meta.name, caller.actor, body, preview),
      ),
    );
    if ("comparison" in answer) {
      const { comparison, ...report } = answer;
      const head = JSON.stringify(report);
      await sendLargeJsonText(req, res, 200, `${head.slice(0, -1)},"comparison":${comparison}}`);
    } else {
      sendJson(res, 200, answer);
    }
  });
}
