// /open, the public accountability pages, as the public reads them (issue
// 18): the summary and the detail in each language at 1366 and 390 px with
// no WCAG 2.1 A/AA violation, and no page scrolling sideways at 320 px;
// withheld figures shown as withheld (a dash with the reason for screen
// readers); charts with visible titles; a bad period answered with a page
// saying what to fix, the form keeping what was typed; an empty period
// saying so in one line; the period form working without any script.
// Started by tests/e2e/open.rs, which loads a week of cases with known
// answers and passes GATEWAY, PERIOD (that week) and EMPTY (a week with no
// cases). With SCREENSHOTS set to a directory, each page is saved there.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const gateway = env("GATEWAY");
const period = env("PERIOD");
const empty = env("EMPTY");
const shots = process.env.SCREENSHOTS;

const WIDTHS = [[1366, 900], [390, 844]];
const LANGUAGES = [
  { lang: "fi", title: "Batline avoimesti", whole: "Koko jakso", backwards: "Jakso päättyy ennen kuin se alkaa", empty: "Tältä jaksolta ei näytetä lukuja" },
  { lang: "sv", title: "Batline öppet", whole: "Hela perioden", backwards: "Perioden slutar innan den börjar", empty: "Inga tal visas för den här perioden" },
  { lang: "en", title: "Batline in the open", whole: "The whole period", backwards: "The period ends before it starts", empty: "No figures are shown for this period" },
];

/** Fails when the page is wider than the window: WCAG 1.4.10 Reflow. Names
 *  the elements sticking out, so a failure says where to look. */
async function expectNoSidewaysScroll(page, label) {
  const { scrollWidth, clientWidth, culprits } = await page.evaluate(() => {
    const root = document.documentElement;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
      .filter((el) => !el.closest(".open-scroll") || el.classList.contains("open-scroll"))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")} (right ${Math.round(el.getBoundingClientRect().right)})`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits };
  });
  if (scrollWidth > clientWidth) {
    throw new Error(`${label} scrolls sideways: ${scrollWidth} px of page in ${clientWidth} px; sticking out: ${culprits.join(", ")}`);
  }
}

/** Opens `path`, checks its status and language, runs axe and the reflow check. */
async function visit(page, path, { status = 200, lang, label, width }) {
  const response = await page.goto(`${gateway}${path}`);
  if (response.status() !== status) throw new Error(`${label} answered ${response.status()}, not ${status}`);
  if ((await page.getAttribute("html", "lang")) !== lang) throw new Error(`${label} is not lang=${lang}`);
  await expectAccessible(page, `${label} at ${width} px`);
  await expectNoSidewaysScroll(page, `${label} at ${width} px`);
  if (shots) {
    const name = label.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase();
    await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: true });
  }
}

await run(async (browser) => {
  const page = await newPage(browser);
  const bad = "from=2026-10-26&to=2026-10-20";
  for (const { lang, title, whole, backwards, empty: emptyLine } of LANGUAGES) {
    for (const [width, height] of WIDTHS) {
      await page.setViewportSize({ width, height });

      await visit(page, `/open?${period}&lang=${lang}`, { lang, label: `/open (${lang})`, width });
      const heading = await page.locator("h1").innerText();
      if (!heading.includes(title)) throw new Error(`/open (${lang}) has the heading ${heading}`);
      if (!(await page.locator("#summary-heading").innerText()).includes(whole)) throw new Error(`/open (${lang}): the summary is not "${whole}"`);
      // Each chart's title is on screen, not only in the SVG.
      const titles = page.locator(".open-chart h3");
      const charts = await titles.count();
      if (charts < 3) throw new Error(`/open (${lang}) has ${charts} chart titles`);
      for (let i = 0; i < charts; i++) {
        if (!(await titles.nth(i).isVisible())) throw new Error(`/open (${lang}): chart title ${i} is not visible`);
      }
      const total = await page.locator("#summary tbody td").first().innerText();
      if (total !== "12") throw new Error(`/open (${lang}) shows ${total} cases in the week`);
      // The districts on a map: Kallio's six cases coloured, Vuosaari's one
      // withheld, a district without cases blank; the same in the table.
      const shade = (district) => page.locator(`#district-map path[data-district="${district}"]`).getAttribute("class");
      if (!(await shade("Kallio")).startsWith("band")) throw new Error(`/open (${lang}): Kallio is not coloured on the map`);
      if ((await shade("Vuosaari")) !== "withheld") throw new Error(`/open (${lang}): Vuosaari's one case is not withheld on the map`);
      if ((await shade("Ullanlinna")) !== "no-cases") throw new Error(`/open (${lang}): Ullanlinna had no cases`);
      const kallio = lang === "sv" ? "Berghäll" : "Kallio";
      const row = page.locator("#district-table tbody tr", { hasText: kallio });
      if ((await row.locator("td").first().innerText()) !== "6") throw new Error(`/open (${lang}): the district table does not give ${kallio} 6 cases`);

      await visit(page, `/open/detail?${period}&lang=${lang}`, { lang, label: `/open/detail (${lang})`, width });
      if (width === 1366) {
        // Vuosaari's single case: its row is all dashes, each with the reason.
        // Districts by their names in the page's language (Swedish in Swedish).
        const vuosaari = lang === "sv" ? "Nordsjö" : "Vuosaari";
        const cells = page.locator("#by-area tbody tr", { hasText: vuosaari }).locator("td");
        const count = await cells.count();
        if (count < 10) throw new Error(`the Vuosaari row has ${count} cells`);
        for (let i = 0; i < count; i++) {
          const cell = cells.nth(i);
          if (!(await cell.getAttribute("class")).includes("withheld")) throw new Error(`Vuosaari cell ${i} is not withheld`);
          if ((await cell.locator("[aria-hidden=true]").innerText()) !== "–") throw new Error(`Vuosaari cell ${i} shows no dash`);
        }
        const kallioCases = await page.locator("#by-area tbody tr", { hasText: lang === "sv" ? "Berghäll" : "Kallio" }).locator("td").first().innerText();
        if (kallioCases !== "6") throw new Error(`Kallio shows ${kallioCases} cases`);
      }

      // A period that ends before it starts: what to fix, the form again.
      await visit(page, `/open?${bad}&lang=${lang}`, { status: 400, lang, label: `/open with a bad period (${lang})`, width });
      const notice = await page.locator("[role=alert]").innerText();
      if (!notice.includes(backwards)) throw new Error(`the bad period page (${lang}) says ${notice}`);
      if ((await page.inputValue("#from")) !== "2026-10-26" || (await page.inputValue("#to")) !== "2026-10-20") {
        throw new Error(`the bad period page (${lang}) lost what was typed`);
      }

      await visit(page, `/open?${empty}&lang=${lang}`, { lang, label: `/open, an empty period (${lang})`, width });
      const lines = await page.locator(".open-empty").allInnerTexts();
      if (lines.length !== 1 || !lines[0].includes(emptyLine)) throw new Error(`the empty period (${lang}) says ${lines}`);
      if ((await page.locator("main table, main svg").count()) !== 0) throw new Error(`the empty period (${lang}) shows empty boxes`);
    }
    step(`/open (${lang}): summary, detail, a bad period and an empty one at ${WIDTHS.map(([w]) => w).join(" and ")} px`);

    // The narrowest screen WCAG 1.4.10 asks for: nothing scrolls sideways.
    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of [`/open?${period}`, `/open/detail?${period}`, `/open?${bad}`, `/open/detail?${bad}`, `/open?${empty}`]) {
      await page.goto(`${gateway}${path}&lang=${lang}`);
      await expectNoSidewaysScroll(page, `${path} (${lang}) at 320 px`);
    }
    step(`/open (${lang}): no page scrolls sideways at 320 px`);
  }

  // The period form is a plain GET: a backwards period is explained, the
  // form keeps it, and putting it right shows the figures.
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${gateway}/open?${period}&lang=en`);
  await page.fill("#from", "2026-10-26");
  await page.fill("#to", "2026-10-20");
  await Promise.all([page.waitForURL(/from=2026-10-26/), page.click("form.period button[type=submit]")]);
  if (!(await page.locator("[role=alert]").innerText()).includes("The period ends before it starts")) {
    throw new Error("the form's backwards period is not explained");
  }
  if ((await page.getAttribute("#from", "aria-invalid")) !== "true") throw new Error("the first day is not marked invalid");
  await page.fill("#to", "2026-11-01");
  await Promise.all([page.waitForURL(/to=2026-11-01/), page.click("form.period button[type=submit]")]);
  // One case that week: too few to show anything.
  if ((await page.locator(".open-empty").count()) !== 1) throw new Error("one case in that week, yet figures are shown");
  await expectAccessible(page, "/open (en), another week");
  step("the period form explains a backwards period and shows another week");

  // The map coloured by the share within target, the period kept; a
  // district's name leads to its row on the detail page.
  await page.goto(`${gateway}/open?${period}&lang=en`);
  await page.selectOption("#map-figure", "sla");
  await Promise.all([page.waitForURL(/map=sla/), page.click("form.map-figure button[type=submit]")]);
  if (!page.url().includes(period)) throw new Error(`the map's figure lost the period: ${page.url()}`);
  if (!(await page.locator("#district-map figcaption").innerText()).includes("First response within target")) {
    throw new Error("the map's caption does not name its figure");
  }
  if (!(await page.locator("#district-map .map-legend").innerText()).includes("%")) throw new Error("the legend does not read as shares");
  await expectAccessible(page, "/open (en), the map by share within target");
  await Promise.all([page.waitForURL(/#area-kallio$/), page.locator("#district-table").getByRole("link", { name: "Kallio" }).click()]);
  await page.locator("#by-area tr#area-kallio").waitFor();
  step("the map by another figure; a district leads to its figures");
});
