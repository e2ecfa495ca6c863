// A walk-in desk's day in a real browser, with the keyboard only: sign in
// and land on the desk page; type what the visit is about and a phone,
// register with Ctrl+Enter; see the owner, with focus on "print the ticket";
// open the ticket, which prints itself; look the case up by its code; get a
// refused visit explained with what was typed kept. axe-core checks each
// state in English, Finnish and Swedish at 1366 and 390 px, and no width
// down to 320 px scrolls sideways. With SCREENSHOTS=<dir> it saves pictures.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const PASSWORD = env("PASSWORD");
const DESK = env("DESK");
const OWNER_NAME = env("OWNER_NAME");
const SHOTS = process.env.SCREENSHOTS;

async function shoot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/desk-${name}.png`, fullPage: true });
}

async function noSidewaysScroll(page, label) {
  for (const width of [390, 320]) {
    const size = page.viewportSize();
    await page.setViewportSize({ width, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) throw new Error(`${label} scrolls sideways by ${overflow} px at ${width} px`);
    await page.setViewportSize(size);
  }
  step(`${label}: no sideways scrolling at 390 or 320 px`);
}

async function switchLanguage(page, lang, heading) {
  await page.locator("#ui-language").selectOption(lang);
  await page.locator("form[action='/language'] button").click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

run(async (browser) => {
  const page = await newPage(browser, { locale: "en-GB", viewport: { width: 1366, height: 900 } });
  // The ticket prints itself when opened from the desk; the test records
  // the call instead of a print dialog.
  await page.context().addInitScript(() => { window.print = () => { window.__printed = true; }; });

  await page.goto(CONSOLE + "/");
  await page.getByLabel("Username").fill(DESK);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(CONSOLE + "/walk-in");
  await page.getByRole("heading", { level: 1, name: /Walk-in desk: Batcave Kallio/ }).waitFor();
  if (await page.locator("#duty-status").count() !== 0) throw new Error("desk staff own no cases: no duty status to set");
  step("the desk signs in and lands on its page, with no duty status to set");
  await expectAccessible(page, "the desk page");
  await shoot(page, "en-1366-empty");

  // Keyboard only. The first field has focus; the resident's language
  // defaults to the desk's; Tab reaches the phone.
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "visit-about") throw new Error(`the first field should have focus, not ${focused}`);
  await page.keyboard.type("The swing in the playground is broken");
  await page.keyboard.press("Tab"); // the language radios (English is chosen)
  await page.keyboard.press("Tab"); // the phone
  await page.keyboard.type("+358 40 555 0199");
  await page.keyboard.press("Control+Enter");
  const box = page.locator("#registered");
  await box.getByText(OWNER_NAME).waitFor();
  const code = (await box.locator("[data-code]").textContent()).trim();
  if (!/^[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code)) throw new Error(`no tracking code in the registered box: ${code}`);
  const onPrint = await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute("data-print-ticket"));
  if (!onPrint) throw new Error("after registering, focus should be on 'Print the ticket'");
  step(`registered with the keyboard: ${code}, owned by ${OWNER_NAME}, focus on print`);
  if (!(await page.locator(`[data-visit] >> text=${code}`).count())) throw new Error("today's visits do not list it");
  await expectAccessible(page, "the desk page after registering");
  await shoot(page, "en-1366-registered");

  // Enter on the focused link opens the ticket, which prints itself.
  const [ticket] = await Promise.all([page.context().waitForEvent("page"), page.keyboard.press("Enter")]);
  await ticket.waitForLoadState("load");
  await ticket.getByText(code).first().waitFor();
  await ticket.waitForFunction(() => window.__printed === true);
  step("the ticket opened in a new tab and printed itself");
  await ticket.close();

  // Look the case up by its code, typed loosely.
  await page.getByLabel("Tracking code or the resident's phone").fill(code.toLowerCase().replace("-", " "));
  await page.getByLabel("Tracking code or the resident's phone").press("Enter");
  await page.locator(`#found [data-found="${code}"]`).waitFor();
  step("found by its code");
  await expectAccessible(page, "the desk page with a look-up");
  await shoot(page, "en-1366-found");

  // A refused visit: the message says what to fix, the text is kept.
  await page.getByLabel("What is it about?").fill("The bin is full");
  await page.getByLabel("Phone for SMS updates (optional)").fill("12");
  await page.getByRole("button", { name: "Register the visit" }).click();
  await page.getByText("The phone cannot be read.").waitFor();
  const kept = await page.getByLabel("What is it about?").inputValue();
  if (kept !== "The bin is full") throw new Error(`the refused visit lost its text: "${kept}"`);
  step("a refused visit is explained and keeps what was typed");
  await expectAccessible(page, "the desk page with a refusal");

  // Every language at both widths.
  for (const [lang, heading] of [["fi", /Asiointipiste: Batcave Kallio/], ["sv", /Servicepunkt: Batcave Kallio/], ["en", /Walk-in desk: Batcave Kallio/]]) {
    await page.setViewportSize({ width: 1366, height: 900 });
    await switchLanguage(page, lang, heading);
    await expectAccessible(page, `the desk page in ${lang} at 1366 px`);
    await shoot(page, `${lang}-1366`);
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page, `the desk page in ${lang} at 390 px`);
    await shoot(page, `${lang}-390`);
    await noSidewaysScroll(page, `the desk page in ${lang}`);
  }
  // With a look-up's table, too.
  await page.goto(CONSOLE + `/walk-in?find=${encodeURIComponent(code)}`);
  await page.locator(`#found [data-found="${code}"]`).waitFor();
  await noSidewaysScroll(page, "the desk page with a look-up");
  await shoot(page, "en-390-found");
});
