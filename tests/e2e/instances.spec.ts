import { rectangle } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { type Instances, startInstances } from "./fixtures/cluster.ts";

/**
 * Several instances (issue 16), as people meet them: nothing to see. Ani
 * (a manager) works on one instance, Budi (a manager) and Dewi (a leader) on
 * another; the plan is served by Ani's. Their edits reach each other live
 * through the instance that forwards them; when the instance serving the
 * plan is killed, the others' maps reconnect on their own, the plan moves
 * to their instance with nothing lost, and they go on working.
 */
let cluster: Instances;
test.beforeAll(async () => {
  cluster = await startInstances(2);
});
test.afterAll(async () => {
  await cluster?.stop();
});

test("people on two instances edit one plan live, and go on when the instance serving it dies", async ({
  ani,
  budi,
  dewi,
}) => {
  const [a, b] = cluster.all;
  if (!a || !b) throw new Error("two instances");
  // The plan is made on A, which serves it from then on.
  const made = await fetch(`${a.origin}/api/plans`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Jawa Timur 2027" }),
  });
  expect(made.status).toBe(201);
  const plan = (await made.json()) as { id: string; links: Record<string, string> };
  const token = (role: string) => new URL(plan.links[role] as string).searchParams.get("token") ?? "";
  const added = await fetch(`${b.origin}/api/plans/${plan.id}/territories`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token("edit")}` },
    body: JSON.stringify(rectangle("Malang", [112.5, -8.1, 112.8, -7.8])),
  });
  expect(added.status).toBe(201);

  const onA = await ani.open(plan.id, { origin: a.origin, token: token("edit") });
  const onB = await budi.open(plan.id, { origin: b.origin, token: token("edit") });
  const leader = await dewi.open(plan.id, { origin: b.origin, token: token("view") });

  await test.step("an edit on one instance reaches the people on the other, and back", async () => {
    for (const p of [onA, onB, leader]) await expect(p.territory("Malang")).toBeVisible();
    await onA.select("Malang");
    await onA.renameSelected("Malang Raya");
    await expect(leader.territory("Malang Raya")).toBeVisible();
    await expect(onB.territory("Malang Raya")).toBeVisible();
    await onB.select("Malang Raya");
    await onB.renameSelected("Malang Kota");
    await expect(onA.territory("Malang Kota")).toBeVisible();
    await expect(leader.territory("Malang Kota")).toBeVisible();
  });

  await test.step("the instance serving the plan dies: the others reconnect and carry on", async () => {
    await a.kill("SIGKILL");
    // Ani's own server is gone (no load balancer in front here): her map says so.
    await expect(onA.status).not.toHaveAttribute("data-status", "connected", { timeout: 20_000 });
    for (const p of [onB, leader])
      await expect(p.status).toHaveAttribute("data-status", "connected", { timeout: 20_000 });
    await onB.select("Malang Kota");
    await onB.renameSelected("Malang Selatan");
    await expect(leader.territory("Malang Selatan")).toBeVisible();
    // Stored by the instance that took the plan over.
    const res = await fetch(`${b.origin}/api/plans/${plan.id}/territories?token=${token("view")}`);
    const fc = (await res.json()) as { features: { properties: { name: string } }[] };
    expect(fc.features.map((f) => f.properties.name)).toEqual(["Malang Selatan"]);
  });
});
