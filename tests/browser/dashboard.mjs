// The mayor's dashboard in a real browser: it opens on the last four weeks,
// the period and the breakdown change what the charts and the table show,
// and axe-core finds no WCAG 2.1 AA violations.
import { env, expectAccessible, expectText, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const PASSWORD = env("PASSWORD");
const MAYOR = env("MAYOR");
const LONG_AGO = env("LONG_AGO"); // a date before the older cases, YYYY-MM-DD

async function chart(page, id) {
  return page.locator(`#${id}`).evaluate((svg) => svg.outerHTML);
}

// How the district map colours a district: "band band-N", "no-cases"...
async function shade(page, district) {
  return page.locator(`#district-map path[data-district="${district}"]`).getAttribute("class");
}

run(async (browser) => {
  const page = await newPage(browser, { locale: "en-GB" });
  await page.goto(CONSOLE + "/sign-in?next=/dashboard");
  await page.getByLabel("Username").fill(MAYOR);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "SLA dashboard" }).waitFor();
  await expectAccessible(page, "the dashboard");

  const cases = (await page.locator('[data-figure="cases"]').textContent()).trim();
  if (cases !== "3") throw new Error(`the last four weeks hold 3 cases, the page says ${cases}`);
  const weeksBefore = await chart(page, "chart-weeks");
  // The districts on a map, every one drawn, coloured where there are cases.
  if ((await page.locator("#district-map path").count()) !== 59) throw new Error("the map does not draw Helsinki's 59 districts");
  if (!(await shade(page, "Kallio")).startsWith("band") || (await shade(page, "Vuosaari")) !== "no-cases") {
    throw new Error("only Kallio's recent cases are in the period");
  }
  await expectText(page.locator("#district-table tbody"), /Kallio\s*3/, "the district table beside the map");
  step("the last four weeks: 3 cases, Kallio only");

  // Staffing: a weekday × hour heat map of the same cases, with its table.
  const cells = await page.locator("#chart-heat rect[data-count]").evaluateAll((rects) => rects.map((r) => Number(r.dataset.count)));
  if (cells.length !== 168 || cells.reduce((a, b) => a + b, 0) !== 3) throw new Error(`the heat map should count 3 cases in 168 cells: ${cells.length} cells, ${cells.reduce((a, b) => a + b, 0)} cases`);
  await page.getByText("As a table").click();
  await page.locator("#heat-table tbody tr").first().waitFor();
  // Each headline card has the previous period beside it; weeks read as dates.
  if (await page.locator("#headline .previous").count() < 10) throw new Error("the headline cards do not show the previous period");
  if (!(await chart(page, "chart-weeks")).match(/\d+\.\d+\.–\d+\.\d+\./)) throw new Error("weeks are not shown as dates");
  step("the heat map counts the cases; cards compare with the previous period; weeks are dates");

  // A longer period takes in the older Vuosaari cases.
  await page.getByLabel("From").fill(LONG_AGO);
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await page.waitForURL(/from=/);
  const after = (await page.locator('[data-figure="cases"]').textContent()).trim();
  if (after !== "6") throw new Error(`the longer period holds 6 cases, the page says ${after}`);
  if (!(await shade(page, "Vuosaari")).startsWith("band")) throw new Error("the district map did not change with the period");
  if ((await chart(page, "chart-weeks")) === weeksBefore) throw new Error("the weekly chart did not change with the period");
  step("a longer period: 6 cases, Vuosaari appears in the charts");

  // The map coloured by another figure, the period kept; a district's name
  // in the table leads to its row in the breakdown.
  await page.getByLabel("The map's colour shows").selectOption("sla");
  await page.getByRole("button", { name: "Show on the map" }).click();
  await page.waitForURL(/map=sla/);
  if (!page.url().includes(`from=${LONG_AGO}`)) throw new Error(`the map's figure lost the period: ${page.url()}`);
  await expectText(page.locator("#district-map figcaption"), "First response within SLA", "the map's caption");
  await expectAccessible(page, "the dashboard's map by share within SLA");
  await page.locator("#district-table").getByRole("link", { name: "Vuosaari" }).click();
  await page.waitForURL(/#area-vuosaari$/);
  await page.locator('#breakdown tr#area-vuosaari').waitFor();
  step("the map by another figure; a district leads to its figures");

  // Break down by channel instead of area.
  await page.getByLabel("Break down by").selectOption("channel");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await page.getByRole("heading", { name: /Breakdown: channel/ }).waitFor();
  const groups = await page.locator("#breakdown tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.group));
  if (groups.join(",") !== "sms") throw new Error(`expected one group, sms; got ${groups}`);
  step("broken down by channel");
  await expectAccessible(page, "the dashboard with a longer period");

  // The Finnish dashboard passes axe too.
  await page.locator("#ui-language").selectOption("fi");
  await page.locator("form[action='/language'] button").click();
  await page.getByRole("heading", { level: 1, name: "SLA-näkymä" }).waitFor();
  await expectAccessible(page, "the dashboard in Finnish");
});
