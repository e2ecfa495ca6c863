// The shift lead's view in a real browser: who is present at their console
// (a responder whose console page is open) and who is not, whatever the
// duty flag says; a case preview (the start of the resident's latest
// message); the reassign form with a visible label on every field; the
// failed technical messages named for what they are. axe-core checks the
// page in English, Finnish and Swedish, at a desktop and a phone's width.
import { env, signIn, expectAccessible, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const PASSWORD = env("PASSWORD");
const LEAD = env("LEAD");
const PRESENT = env("PRESENT"); // on duty, console open during the walk
const PRESENT_NAME = env("PRESENT_NAME");
const AWAY_NAME = env("AWAY_NAME"); // on duty, never signed in
const CODE = env("CASE_CODE"); // an unacknowledged case owned by AWAY
const PREVIEW = env("PREVIEW"); // the start of its resident's message

/** The presence cell of `name`'s row on the board. */
function presenceOf(page, name) {
  return page.locator("#lead-board tr[data-responder]", { hasText: name }).locator("td").nth(1);
}

async function setLanguage(page, lang, heading) {
  await page.getByLabel(/Language|Kieli|Språk/).selectOption(lang);
  await page.locator("form[action='/language'] button").click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

run(async (browser) => {
  // The responder opens the console: their live socket makes them present.
  const responder = await newPage(browser, { locale: "en-GB" });
  await signIn(responder, CONSOLE, PRESENT, PASSWORD);
  await responder.locator('body[data-live-state="connected"]').waitFor();
  step(`${PRESENT} has the console open`);

  const lead = await newPage(browser, { locale: "en-GB", viewport: { width: 1366, height: 900 } });
  await signIn(lead, CONSOLE, LEAD, PASSWORD);
  await lead.goto(CONSOLE + "/lead");
  await lead.getByRole("heading", { level: 1, name: "Shift lead" }).waitFor();
  const here = (await presenceOf(lead, PRESENT_NAME).textContent()).trim();
  if (!/^Present/.test(here) || !/console open/.test(here)) throw new Error(`${PRESENT_NAME} should be present with the console open, the board says "${here}"`);
  const away = (await presenceOf(lead, AWAY_NAME).textContent()).trim();
  if (!/^Not present/.test(away)) throw new Error(`${AWAY_NAME} is on duty but not at the console, the board says "${away}"`);
  await lead.getByText(/Present means the console is open/).waitFor();
  step("the board shows who is present and who is only on duty");

  // The case preview and the reassign form's visible labels.
  const row = lead.locator(`[data-attention="${CODE}"]`);
  const preview = (await row.locator("[data-preview]").textContent()).trim();
  if (!preview.includes(PREVIEW)) throw new Error(`expected a preview of "${PREVIEW}", got "${preview}"`);
  const reason = row.getByLabel("Reason");
  if (!(await reason.isVisible())) throw new Error("the reassignment reason has no visible label");
  if (await reason.getAttribute("placeholder")) throw new Error("the reason is labelled by a placeholder");
  const reasonLabel = row.locator("label", { hasText: "Reason" });
  if (!(await reasonLabel.isVisible())) throw new Error("the reason's label is not visible");
  step("the attention list previews the message and labels the reason");

  await lead.getByRole("heading", { name: /Technical messages that failed/ }).waitFor();
  step("dead letters are named as technical messages that failed");
  await expectAccessible(lead, "the lead page");
  if (process.env.SCREENSHOTS) await lead.screenshot({ path: `${process.env.SCREENSHOTS}/lead-en-1366.png`, fullPage: true });

  // Presence leaves with the console: the responder closes it.
  await responder.context().close();
  await lead.waitForTimeout(7000); // the grace for a page replacing itself is 5 s
  await lead.reload();
  const gone = (await presenceOf(lead, PRESENT_NAME).textContent()).trim();
  if (!/^Not present/.test(gone)) throw new Error(`${PRESENT_NAME} closed the console, the board says "${gone}"`);
  step(`${PRESENT_NAME} closed the console and is no longer present`);

  // Reassign with the form: the label names the field.
  await row.getByLabel("Reassign to").selectOption(PRESENT);
  await row.getByLabel("Reason").fill("Otto on paikalla");
  await row.getByRole("button", { name: "Reassign" }).click();
  await lead.waitForURL(/done=reassigned/);
  step(`reassigned ${CODE} with a labelled reason`);

  // Finnish and Swedish, at a phone's width too.
  await setLanguage(lead, "fi", "Vuoron johto");
  await lead.getByRole("heading", { name: /Epäonnistuneet tekniset viestit/ }).waitFor();
  await expectAccessible(lead, "the lead page in Finnish");
  if (process.env.SCREENSHOTS) await lead.screenshot({ path: `${process.env.SCREENSHOTS}/lead-fi-1366.png`, fullPage: true });
  await setLanguage(lead, "sv", "Skiftledning");
  await lead.getByRole("heading", { name: /Tekniska meddelanden som misslyckades/ }).waitFor();
  await lead.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(lead, "the lead page in Swedish on a phone");
  if (process.env.SCREENSHOTS) await lead.screenshot({ path: `${process.env.SCREENSHOTS}/lead-sv-390.png`, fullPage: true });
  const sideways = await lead.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  if (sideways) throw new Error("the lead page scrolls sideways at 390 px");
  await lead.setViewportSize({ width: 320, height: 700 });
  if (await lead.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)) {
    throw new Error("the lead page scrolls sideways at 320 px");
  }
  await lead.setViewportSize({ width: 390, height: 844 });
  if (process.env.SCREENSHOTS) {
    await setLanguage(lead, "en", "Shift lead");
    await lead.screenshot({ path: `${process.env.SCREENSHOTS}/lead-en-390.png`, fullPage: true });
    await lead.setViewportSize({ width: 1366, height: 900 });
    await setLanguage(lead, "sv", "Skiftledning");
    await lead.screenshot({ path: `${process.env.SCREENSHOTS}/lead-sv-1366.png`, fullPage: true });
    await lead.setViewportSize({ width: 390, height: 844 });
    await setLanguage(lead, "fi", "Vuoron johto");
    await lead.screenshot({ path: `${process.env.SCREENSHOTS}/lead-fi-390.png`, fullPage: true });
  }
  step("the lead page reads in Finnish and Swedish, at 1366 and 390 px");
});
