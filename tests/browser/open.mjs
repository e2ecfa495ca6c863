// /open, the public accountability page: no WCAG 2.1 AA violations in any
// of its three languages, withheld figures shown as withheld (a dash with
// the reason for screen readers), charts labelled, and the period form
// working without any script. Started by tests/e2e/open.rs, which loads a
// week of cases with known answers and passes GATEWAY and PERIOD.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const gateway = env("GATEWAY");
const period = env("PERIOD");

await run(async (browser) => {
  const page = await newPage(browser);
  for (const [lang, title] of [["fi", "Batline avoimesti"], ["sv", "Batline öppet"], ["en", "Batline in the open"]]) {
    const response = await page.goto(`${gateway}/open?${period}&lang=${lang}`);
    if (response.status() !== 200) throw new Error(`/open (${lang}) answered ${response.status()}`);
    const heading = await page.locator("h1").innerText();
    if (!heading.includes(title)) throw new Error(`/open (${lang}) has the heading ${heading}`);
    if ((await page.getAttribute("html", "lang")) !== lang) throw new Error(`/open (${lang}) is not lang=${lang}`);
    await expectAccessible(page, `/open (${lang})`);

    // Vuosaari's single case: its row is all dashes, each with the reason.
    const vuosaari = page.locator("#by-area tbody tr", { hasText: "Vuosaari" });
    const cells = vuosaari.locator("td");
    const count = await cells.count();
    if (count < 10) throw new Error(`the Vuosaari row has ${count} cells`);
    for (let i = 0; i < count; i++) {
      const cell = cells.nth(i);
      if (!(await cell.getAttribute("class")).includes("withheld")) throw new Error(`Vuosaari cell ${i} is not withheld`);
      if ((await cell.locator("[aria-hidden=true]").innerText()) !== "–") throw new Error(`Vuosaari cell ${i} shows no dash`);
    }
    // Kallio's six cases are shown.
    const kallioCases = await page.locator("#by-area tbody tr", { hasText: "Kallio" }).locator("td").first().innerText();
    if (kallioCases !== "6") throw new Error(`Kallio shows ${kallioCases} cases`);
    const charts = await page.locator("svg[role=img] > title").count();
    if (charts < 4) throw new Error(`only ${charts} labelled charts`);
    step(`/open (${lang}): withheld figures shown as withheld, ${charts} labelled charts`);
  }

  // The period form is a plain GET: choosing another week changes the figures.
  await page.goto(`${gateway}/open?${period}&lang=en`);
  await page.fill("#from", "2026-10-26");
  await page.fill("#to", "2026-11-01");
  await Promise.all([page.waitForURL(/from=2026-10-26/), page.click("form.period button[type=submit]")]);
  const summary = await page.locator("#summary tbody td").first();
  if (!(await summary.getAttribute("class")).includes("withheld")) throw new Error("one case in that week, yet its count is shown");
  await expectAccessible(page, "/open (en), another week");
  step("the period form shows another week");
});
