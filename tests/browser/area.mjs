// /area, "which area am I in" (issue 19), as a resident uses it: in each
// language at 1366 and 390 px, an address typed in the form answered with
// the district at every level and the nearest walk-in point, an unknown
// address answered with what to fix and the field keeping it, and the
// "use my location" button posting the browser's point (granted here by
// the test's browser context, as a resident's click and permission would);
// no WCAG 2.1 A/AA violation, no page scrolling sideways at 320 px.
// Started by tests/e2e/area.rs, which loads Helsinki's areas and two
// walk-in points and passes GATEWAY. With SCREENSHOTS set to a directory,
// each page is saved there.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const gateway = env("GATEWAY");
const shots = process.env.SCREENSHOTS;

const WIDTHS = [[1366, 900], [390, 844]];
const LANGUAGES = [
  { lang: "fi", title: "Mihin alueeseen kuulun?", address: "Fleminginkadulla 12", district: "Kallio", sub: "Torkkelinmäki",
    point: "Kallion asiointipiste", unknown: "Emme löytäneet paikkaa", button: "Käytä sijaintiani" },
  { lang: "sv", title: "Vilket område hör jag till?", address: "Flemingsgatan 12", district: "Berghäll", sub: "Torkelsbacken",
    point: "Kallion asiointipiste", unknown: "Vi hittade inte platsen", button: "Använd min position" },
  { lang: "en", title: "Which area am I in?", address: "helsinginkadun ja fleminginkadun kulma", district: "Kallio", sub: "Torkkelinmäki",
    point: "Kallion asiointipiste", unknown: "We could not find", button: "Use my location" },
];

/** Fails when the page is wider than the window (WCAG 1.4.10 Reflow). */
async function expectNoSidewaysScroll(page, label) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
  }));
  if (scrollWidth > clientWidth) throw new Error(`${label} scrolls sideways: ${scrollWidth} px in ${clientWidth} px`);
}

async function check(page, { lang, label, width, status }) {
  if ((await page.getAttribute("html", "lang")) !== lang) throw new Error(`${label} is not lang=${lang}`);
  await expectAccessible(page, `${label} at ${width} px`);
  await expectNoSidewaysScroll(page, `${label} at ${width} px`);
  if (shots) {
    const name = label.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase();
    await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: true });
  }
}

await run(async (browser) => {
  // The browser may tell this page a location only because the test grants
  // it; the page asks nothing before the button is pressed.
  const page = await newPage(browser, {
    geolocation: { latitude: 60.2096, longitude: 25.1436 }, permissions: ["geolocation"],
  });
  for (const { lang, title, address, district, sub, point, unknown, button } of LANGUAGES) {
    for (const [width, height] of WIDTHS) {
      await page.setViewportSize({ width, height });
      const response = await page.goto(`${gateway}/area?lang=${lang}`);
      if (response.status() !== 200) throw new Error(`/area (${lang}) answered ${response.status()}`);
      if (!(await page.locator("h1").innerText()).includes(title)) throw new Error(`/area (${lang}) has another title`);
      await check(page, { lang, label: `/area (${lang})`, width });

      // An address typed in the form.
      await page.fill("#q", address);
      await Promise.all([page.waitForURL(/q=/), page.click("form[action='/area'][method='get'] button[type=submit]")]);
      const answer = await page.locator("#area-answer").innerText();
      for (const expected of [district, sub, point]) {
        if (!answer.includes(expected)) throw new Error(`/area (${lang}) for "${address}" lacks ${expected}: ${answer}`);
      }
      await check(page, { lang, label: `/area answer (${lang})`, width });

      // An unknown place: what to fix, and the field keeps it.
      await page.fill("#q", "Xyzzykatu 7");
      await Promise.all([page.waitForURL(/Xyzzy/), page.click("form[action='/area'][method='get'] button[type=submit]")]);
      if (!(await page.locator("[role=alert]").innerText()).includes(unknown)) throw new Error(`/area (${lang}): no notice`);
      if ((await page.inputValue("#q")) !== "Xyzzykatu 7") throw new Error(`/area (${lang}) lost what was typed`);
      if ((await page.getAttribute("#q", "aria-invalid")) !== "true") throw new Error(`/area (${lang}): field not marked`);
      await check(page, { lang, label: `/area unknown (${lang})`, width });

      // The location button: shown, and on a press the point is posted.
      const share = page.locator("#share-button");
      if ((await share.innerText()) !== button || !(await share.isVisible())) throw new Error(`/area (${lang}): no location button`);
      await Promise.all([page.waitForURL(/\/area$/), share.click()]);
      const located = await page.locator("#area-answer").innerText();
      if (!located.includes("Vuosaari") && !located.includes("Nordsjö")) throw new Error(`/area (${lang}) location: ${located}`);
      if (!located.includes("Vuosaaren asiointipiste")) throw new Error(`/area (${lang}) location: not the Vuosaari point`);
      await check(page, { lang, label: `/area location (${lang})`, width });
    }
    step(`/area (${lang}): an address, an unknown place and a shared location at ${WIDTHS.map(([w]) => w).join(" and ")} px`);

    await page.setViewportSize({ width: 320, height: 640 });
    for (const path of [`/area?lang=${lang}`, `/area?lang=${lang}&q=${encodeURIComponent(address)}`, `/area?lang=${lang}&q=Xyzzykatu`]) {
      await page.goto(`${gateway}${path}`);
      await expectNoSidewaysScroll(page, `${path} at 320 px`);
    }
    step(`/area (${lang}): no page scrolls sideways at 320 px`);
  }
});
