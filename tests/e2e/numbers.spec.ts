import type { APIRequestContext } from "@playwright/test";
import { addTerritories, createPlanWithLinks, importAccounts, rectangle, territories } from "./fixtures/api.ts";
import { expect, test } from "./fixtures/cast.ts";
import { keepScreenshot } from "./fixtures/screenshots.ts";

/**
 * Numbers read the way a person typed them (issue 10): an Indonesian team
 * often works in the English interface, where `60.000` used to be stored
 * as 60 without a word. Ani types targets in both languages; anything that
 * reads two ways is shown both ways beside the field and saved only once she
 * picks one, and a target far off the territory's actual revenue is
 * questioned before it reaches the wall view.
 */

/** Priangan's accounts sum to 1,250,000 revenue. */
const ACCOUNTS_CSV = [
  "id,name,lat,lon,revenue",
  "p1,Toko Priangan 1,-7.0,106.8,500000",
  "p2,Toko Priangan 2,-6.9,107.0,450000",
  "p3,Toko Priangan 3,-6.8,107.2,300000",
].join("\n");

async function storedTarget(request: APIRequestContext, planId: string): Promise<number | undefined> {
  const [priangan] = await territories(request, planId);
  return (priangan?.properties as { targets?: Record<string, number> } | undefined)?.targets?.revenue;
}

test("a target that reads two ways is shown both ways and saved only as the manager means it, in English and Indonesian", async ({
  request,
  ani,
}, testInfo) => {
  const plan = await createPlanWithLinks(request, "Target Priangan");
  await importAccounts(request, plan.id, ACCOUNTS_CSV);
  await addTerritories(request, plan.id, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  await ani.open(plan.id);
  const page = ani.page;
  const input = page.getByTestId("target-input-revenue");
  const reading = page.getByTestId("target-reading-revenue");
  await ani.select("Priangan");
  await expect(page.getByTestId("target-achievement-revenue")).toContainText("Actual 1,250,000");

  await test.step("60.000 in the English interface: both readings beside the field, the English one highlighted", async () => {
    await input.fill("60.000");
    await expect(reading).toBeVisible();
    await expect(reading).toHaveAttribute("data-as", "decimal");
    await expect(reading.getByTestId("target-reading-decimal")).toHaveText("= 60");
    await expect(reading.getByTestId("target-reading-decimal")).toHaveAttribute("aria-pressed", "true");
    await expect(reading.getByTestId("target-reading-grouped")).toHaveText("= 60 thousand");
    await keepScreenshot(page, testInfo, "target-reading-en.png");
  });

  await test.step("leaving the field saves nothing: the choice is still asked", async () => {
    await page.getByTestId("territory-details").locator("h2").click();
    await expect(reading).toBeVisible();
    await expect(input).toHaveValue("60.000");
    expect(await storedTarget(request, plan.id)).toBeUndefined();
  });

  await test.step("she flips it to sixty thousand, which is saved and shown back grouped", async () => {
    await reading.getByTestId("target-reading-grouped").click();
    await expect(reading).toBeHidden();
    await expect(input).toHaveValue("60,000");
    await expect.poll(() => storedTarget(request, plan.id)).toBe(60_000);
    await expect(page.getByTestId("target-achievement-revenue")).toContainText("2,083%");
  });

  await test.step("Enter takes the highlighted reading, and a target 20,000× below the actual revenue asks first", async () => {
    await input.fill("60.000");
    await input.press("Enter");
    const confirm = page.getByTestId("target-confirm-revenue");
    await expect(confirm).toContainText("60 is 1/20,833 of the actual 1,250,000. Is that right?");
    await keepScreenshot(page, testInfo, "target-confirm-en.png");
    expect(await storedTarget(request, plan.id)).toBe(60_000);
    await confirm.getByTestId("target-confirm-edit").click();
    await expect(input).toBeFocused();
    // Unambiguous: read at once, saved at once.
    await input.fill("1.234.567");
    await input.press("Enter");
    await expect(input).toHaveValue("1,234,567");
    await expect.poll(() => storedTarget(request, plan.id)).toBe(1_234_567);
  });

  await test.step("in Bahasa Indonesia 60.000 reads as sixty thousand first, and 2,000 as two", async () => {
    await page.getByTestId("language-select").selectOption("id");
    await expect(input).toHaveValue("1.234.567");
    await input.fill("60.000");
    await expect(reading).toHaveAttribute("data-as", "grouped");
    await expect(reading.getByTestId("target-reading-grouped")).toHaveText("= 60 ribu");
    await expect(reading.getByTestId("target-reading-decimal")).toHaveText("= 60");
    await keepScreenshot(page, testInfo, "target-reading-id.png");
    await input.press("Enter");
    await expect(input).toHaveValue("60.000");
    await expect.poll(() => storedTarget(request, plan.id)).toBe(60_000);

    await input.fill("2,000");
    await expect(reading).toHaveAttribute("data-as", "decimal");
    await expect(reading.getByTestId("target-reading-decimal")).toHaveText("= 2");
    await expect(reading.getByTestId("target-reading-grouped")).toHaveText("= 2 ribu");
    await input.press("Enter");
    const confirm = page.getByTestId("target-confirm-revenue");
    await expect(confirm).toContainText("2 adalah 1/625.000 dari nilai aktual 1.250.000. Sudah benar?");
    // She means it: a token target is still a target.
    await confirm.getByTestId("target-confirm-save").click();
    await expect(confirm).toBeHidden();
    await expect(input).toHaveValue("2");
    await expect.poll(() => storedTarget(request, plan.id)).toBe(2);
  });
});

test("a rep and a leader see the territory's name, colour and targets as text, not as fields", async ({
  request,
  ani,
  siti,
  dewi,
}) => {
  const plan = await createPlanWithLinks(request, "Target Priangan");
  await importAccounts(request, plan.id, ACCOUNTS_CSV);
  await addTerritories(request, plan.id, [rectangle("Priangan", [106.6, -7.2, 107.4, -6.6])]);
  await ani.open(plan.id);
  await ani.select("Priangan");
  await ani.page.getByTestId("target-input-revenue").fill("1000000");
  await ani.page.getByTestId("target-input-revenue").press("Enter");
  await expect.poll(() => storedTarget(request, plan.id)).toBe(1_000_000);

  await siti.open(plan.id);
  await dewi.open(plan.id);
  for (const p of [siti, dewi]) {
    await test.step(`${p.name} reads the panel`, async () => {
      await p.select("Priangan");
      const details = p.page.getByTestId("territory-details");
      await expect(details.getByTestId("territory-name")).toHaveText("Priangan");
      await expect(details.getByTestId("details-read-only")).toBeVisible();
      await expect(details.getByTestId("target-value-revenue")).toHaveText("1,000,000");
      await expect(details.getByTestId("target-achievement-revenue")).toContainText("Actual 1,250,000 · 125%");
      // Nothing that looks typeable or clickable: no inputs, no colour swatches, no disabled fields.
      await expect(details.locator("input, select, textarea")).toHaveCount(0);
      await expect(details.locator("[data-testid^=territory-color-]")).toHaveCount(0);
      await expect(details.locator(":disabled")).toHaveCount(0);
    });
  }
});
