import { expect, test } from "@playwright/test";

test("the landing page creates a plan and opens it", async ({ page }) => {
  await page.addInitScript(() => {
    localStorage.setItem("wilayah.locale", "en");
    localStorage.setItem("wilayah.user", JSON.stringify({ name: "Ani", color: "#e11d48", id: "e2e-Ani" }));
  });
  await page.goto("/");
  await expect(page.getByTestId("recent-empty")).toBeVisible();
  await expect(page.getByTestId("open-demo")).toHaveAttribute("href", /^\/plan\/[^?]+(\?token=.+)?$/);

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

test("the interface switches to Bahasa Indonesia", async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem("wilayah.locale", "en"));
  await page.goto("/");
  await page.getByTestId("language-select").selectOption("id");
  await expect(page.getByTestId("create-plan")).toHaveText(/Buat rencana/);
  await expect(page.locator("html")).toHaveAttribute("lang", "id");
});
