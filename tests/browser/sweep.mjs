// Every page, as the person who uses it sees it (issue 18's "Done when"):
// each staff page signed in as its role, and each resident page, in Finnish,
// Swedish and English, at 1366 and 390 px wide, with no WCAG 2.1 A/AA
// violation; and no page scrolling sideways at 320 px (WCAG 1.4.10 Reflow).
// Started by tests/e2e/page_sweep.rs, which sets the scene: a responder
// owning an SMS case (and an Open311, an email and a chat case, the chat's
// resident with a confirmed phone too), a desk worker at a walk-in point, a lead, the mayor
// and an admin, the city's districts loaded. With SCREENSHOTS set to a
// directory, each page state is saved there.
import { env, expectAccessible, expectNoSidewaysScroll, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const GATEWAY = env("GATEWAY");
const PASSWORD = env("PASSWORD");
const CASE_ID = env("CASE_ID");
const OPEN311_CASE_ID = env("OPEN311_CASE_ID");
const EMAIL_CASE_ID = env("EMAIL_CASE_ID");
const CHAT_CASE_ID = env("CHAT_CASE_ID");
const CODE = env("TRACKING_CODE");
const RESPONDER_ID = env("RESPONDER_ID");

const LANGUAGES = ["fi", "sv", "en"];
const WIDTHS = [[1366, 900], [390, 844]];

// Who uses which page.
const STAFF = [
  { user: "aino", paths: ["/", `/cases/${CASE_ID}`, `/cases/${OPEN311_CASE_ID}`, `/cases/${EMAIL_CASE_ID}`,
    `/cases/${CHAT_CASE_ID}`, "/search?q=katuvalo"] },
  { user: "veera", paths: ["/walk-in", `/walk-in?find=${encodeURIComponent(CODE)}`] },
  { user: "liisa", paths: ["/lead"] },
  { user: "pormestari", paths: ["/dashboard"] },
  {
    user: "hanna",
    paths: ["/admin", "/admin/responders", `/admin/responders/${RESPONDER_ID}`, "/admin/walk-in-points",
      "/admin/roster", "/admin/sla-policies", "/admin/canned-replies", "/admin/open311"],
  },
];
// What residents and the public open; [path, status].
const PUBLIC = [
  ["/track", 200], [`/track/${CODE}`, 200], ["/track/ZZZZ-ZZZZ", 404], ["/track/abc", 400],
  ["/chat", 200], ["/area", 200], ["/area?q=00530", 200], ["/open", 200], ["/open/detail", 200],
];

/** Opens `url` at each width, expecting `status` and `lang`: axe at 1366 and
 *  390 px, the reflow check at 320 px. */
async function sweep(page, url, label, lang, status = 200) {
  for (const [width, height] of WIDTHS) {
    await page.setViewportSize({ width, height });
    const response = await page.goto(url);
    if (response.status() !== status) throw new Error(`${label} answered ${response.status()}, not ${status}`);
    const shown = await page.getAttribute("html", "lang");
    if (shown !== lang) throw new Error(`${label} is in ${shown}, not ${lang}`);
    await expectAccessible(page, `${label} at ${width} px`);
  }
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(url);
  await expectNoSidewaysScroll(page, `${label} at 320 px`);
}

run(async (browser) => {
  for (const { user, paths } of STAFF) {
    const page = await newPage(browser, { locale: "en-GB" });
    await page.goto(`${CONSOLE}/sign-in`);
    await page.locator("#username").fill(user);
    await page.locator("#password").fill(PASSWORD);
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/sign-in")), page.locator("#password").press("Enter")]);
    for (const lang of LANGUAGES) {
      // The language a person chooses in the header is kept in this cookie.
      await page.context().addCookies([{ name: "lang", value: lang, url: CONSOLE }]);
      for (const path of paths) await sweep(page, `${CONSOLE}${path}`, `${path} as ${user} (${lang})`, lang);
    }
    step(`${user}'s pages in fi, sv and en: axe-clean at 1366 and 390 px, no sideways scrolling at 320 px`);
    await page.context().close();
  }
  for (const lang of LANGUAGES) {
    const page = await newPage(browser, { locale: `${lang}-FI` });
    for (const [path, status] of PUBLIC) {
      const url = `${GATEWAY}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`;
      await sweep(page, url, `${path} (${lang})`, lang, status);
    }
    step(`the resident pages in ${lang}: axe-clean at 1366 and 390 px, no sideways scrolling at 320 px`);
    await page.context().close();
  }
});
