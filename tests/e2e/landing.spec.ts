import { expect, test } from "@playwright/test";

test("the landing page creates a plan and opens it", async ({ page }) => {
  await page.addInitScript(() => {
    localStorage.setItem("wilayah.locale", "en");
    localStorage.setItem("wilayah.user", JSON.stringify({ name: "Ani", color: "#e11d48", id: "e2e-Ani" }));
  });
  await page.goto("/");
  await expect(page.getByTestId("recent-empty")).toBeVisible();

  await page.getByTestId("plan-name-input").fill("Sumatra Utara Q3");
  await page.getByTestId("create-plan").click();
  await expect(page).toHaveURL(/\/plan\/[A-Za-z0-9_-]+(\?token=[^&]+)?$/);
  await expect(page.getByTestId("map")).toHaveAttribute("data-loaded", "true");
  await expect(page.getByTestId("plan-name")).toHaveText("Sumatra Utara Q3");
  await expect(page.getByTestId("territory-empty")).toContainText("No territories yet");

  // The plan is remembered on the start page.
  await page.getByTestId("home-link").click();
  await expect(page.getByTestId("recent-plan")).toHaveCount(1);
  await expect(page.getByTestId("recent-plan")).toContainText("Sumatra Utara Q3");
});

test("the demo opens a copy of the visitor's own, which all their windows share", async ({ browser }) => {
  // Three windows open the 6,000-account demo: more than the default budget on a loaded 2-core machine.
  test.setTimeout(180_000);
  const visitor = await browser.newContext();
  await visitor.addInitScript(() => localStorage.setItem("wilayah.locale", "en"));
  const page = await visitor.newPage();
  await page.goto("/");
  await page.getByTestId("open-demo").click();
  await expect(page).toHaveURL(/\/plan\/[A-Za-z0-9_-]+\?token=[^&]+$/);
  const first = new URL(page.url());
  const planId = first.pathname.split("/")[2] as string;
  await expect(page.getByTestId("map")).toHaveAttribute("data-loaded", "true");
  await expect(page.getByTestId("plan-name")).toHaveText("Demo: Java sales territories");
  await expect(page.getByTestId("role-badge")).toHaveAttribute("data-role", "edit");

  // A second window of the same browser opens the same copy with the same link: they edit together.
  const second = await visitor.newPage();
  await second.goto("/");
  await second.getByTestId("open-demo").click();
  await expect(second).toHaveURL(first.href);
  // As a rep: the same copy, through its comment link.
  await second.goto("/");
  await second.getByTestId("open-demo-rep").click();
  await expect(second).toHaveURL(new RegExp(`/plan/${planId}\\?token=`));
  expect(new URL(second.url()).searchParams.get("token")).not.toBe(first.searchParams.get("token"));
  await expect(second.getByTestId("role-badge")).toHaveAttribute("data-role", "comment");

  // Another visitor gets a copy of their own.
  const other = await browser.newContext();
  await other.addInitScript(() => localStorage.setItem("wilayah.locale", "en"));
  const theirs = await other.newPage();
  await theirs.goto("/");
  await theirs.getByTestId("open-demo").click();
  await expect(theirs).toHaveURL(/\/plan\/[A-Za-z0-9_-]+\?token=/);
  expect(new URL(theirs.url()).pathname).not.toBe(first.pathname);
  await visitor.close();
  await other.close();
});

test("the interface switches to Bahasa Indonesia", async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem("wilayah.locale", "en"));
  await page.goto("/");
  await page.getByTestId("language-select").selectOption("id");
  await expect(page.getByTestId("create-plan")).toHaveText(/Buat rencana/);
  await expect(page.locator("html")).toHaveAttribute("lang", "id");
});
