// The duty responder's day in the console, in a real browser:
// sign in; a new SMS case appears live without a reload, with an alert;
// acknowledge; reply; hand off to a second signed-in responder, who sees the
// offer live and accepts; resolve; the first responder can no longer open
// the case by URL. axe-core checks the sign-in, inbox and case pages.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";
import { sendSms } from "./twilio.mjs";

const CONSOLE = env("CONSOLE");
const PASSWORD = env("PASSWORD");
const A = env("RESPONDER_A"); // on duty: gets the new case
const B = env("RESPONDER_B"); // off duty until the test puts them on
const B_NAME = env("RESPONDER_B_NAME");
const RESIDENT = env("RESIDENT_PHONE");

async function signIn(page, username) {
  await page.goto(CONSOLE + "/");
  // Not signed in: the inbox sends the browser to the sign-in page.
  if (!page.url().includes("/sign-in")) throw new Error(`expected the sign-in page, got ${page.url()}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(CONSOLE + "/");
  await page.getByRole("heading", { name: /My cases/ }).waitFor();
}

run(async (browser) => {
  const a = await newPage(browser, { locale: "en-GB" });
  await a.goto(CONSOLE + "/sign-in");
  await expectAccessible(a, "the sign-in page");

  // A wrong password is refused with a message, and the name is kept.
  await a.getByLabel("Username").fill(A);
  await a.getByLabel("Password").fill("not the password");
  await a.getByRole("button", { name: "Sign in" }).click();
  await a.getByText("Wrong username or password.").waitFor();
  step("a wrong password is refused");

  await signIn(a, A);
  step(`${A} signed in`);
  await a.locator('body[data-live-state="connected"]').waitFor();
  await expectAccessible(a, "the inbox");

  // The page must not reload: a marker set now must survive the update.
  await a.evaluate(() => { window.__stillTheSamePage = true; });
  await sendSms(RESIDENT, "Katulamppu on rikki Fleminginkadulla jo viikon ajan");
  const row = a.locator("[data-case-row]").first();
  await row.waitFor({ timeout: 15000 });
  const code = (await row.locator("a[data-open]").textContent()).trim();
  if (!(await a.evaluate(() => window.__stillTheSamePage === true))) throw new Error("the inbox reloaded instead of updating live");
  const alert = (await a.locator("#live-alert").textContent()).trim();
  if (alert !== "New case for you") throw new Error(`expected the new-case alert, got "${alert}"`);
  if (!(await a.title()).startsWith("(1)")) throw new Error(`the title does not count the new case: ${await a.title()}`);
  step(`case ${code} appeared live with an alert`);

  // Acknowledge from the inbox with the keyboard: j selects the first case, a acknowledges it.
  await a.keyboard.press("j");
  await a.keyboard.press("a");
  await a.getByText("Acknowledged.").waitFor();
  if (await a.locator("[data-case-row] [data-acknowledge]").count() !== 0) throw new Error("the case still offers acknowledgement");
  step("acknowledged with the keyboard (j, a)");

  // The second responder signs in and goes on duty from the header.
  const b = await newPage(browser, { locale: "en-GB" });
  await signIn(b, B);
  await b.getByLabel("Duty status").selectOption("on_duty");
  await b.locator("form[action='/duty'] button").click();
  await b.getByText("Duty status updated.").waitFor();
  await b.locator('body[data-live-state="connected"]').waitFor();
  step(`${B} is on duty`);

  // Open the case and reply.
  await a.getByRole("link", { name: code }).click();
  await a.getByRole("heading", { name: `Case ${code}` }).waitFor();
  await expectAccessible(a, "the case page");
  // The counter counts the SMS as sent: the heading with the owner's and the
  // city's names comes first, so 140 characters take two messages.
  await a.locator("#reply-body").fill("a".repeat(140));
  await a.locator("#reply-count", { hasText: "140 characters · 2 SMS messages" }).waitFor();
  await a.getByText(/The SMS starts: “.+, Helsingin kaupunki: …”/).waitFor();
  await a.locator("#reply-body").fill("Kiitos, välitin vian korjattavaksi.");
  await a.getByRole("button", { name: "Send reply" }).click();
  await a.getByText("The reply went to the resident.").waitFor();
  await a.locator("#thread .out", { hasText: "Kiitos, välitin vian korjattavaksi." }).waitFor();
  step("replied; the reply is in the thread");

  // Classify from the city's lists: the topic by its name, the priority; the
  // facts and the timeline say so.
  await a.locator("summary", { hasText: "Topic, area and priority" }).click();
  await a.getByLabel("Topic", { exact: true }).selectOption({ label: "Streets and street lighting" });
  await a.getByLabel("Priority", { exact: true }).selectOption("high");
  await a.getByRole("button", { name: "Save the classification" }).click();
  await a.getByText("Classification saved.").waitFor();
  await a.locator("dd[data-topic]", { hasText: "Streets and street lighting" }).waitFor();
  await a.locator("dd[data-priority]", { hasText: "high" }).waitFor();
  await a.getByText("topic streets (was –), priority high (was normal)").waitFor();
  await expectAccessible(a, "the case page after classifying");
  step("classified from the catalogue");

  // Hand off to B with a note; B sees the offer live and accepts.
  await b.evaluate(() => { window.__stillTheSamePage = true; });
  // The actions sit behind their buttons; the hand-off opens with its own.
  await a.locator("summary", { hasText: "Hand off to a colleague" }).click();
  await a.getByLabel("To", { exact: true }).selectOption(B);
  await a.getByLabel("Note for the colleague").fill("Katuvalot ovat sinun alaasi.");
  await a.getByRole("button", { name: "Offer the case" }).click();
  await a.getByText(/Case offered/).waitFor();
  const offer = b.locator(`[data-offer="${code}"]`);
  await offer.waitFor({ timeout: 15000 });
  if (!(await b.evaluate(() => window.__stillTheSamePage === true))) throw new Error("B's inbox reloaded instead of updating live");
  const offerAlert = (await b.locator("#live-alert").textContent()).trim();
  if (offerAlert !== "A case is offered to you") throw new Error(`expected the offer alert, got "${offerAlert}"`);
  step(`${B} sees the offer live`);
  await offer.getByRole("button", { name: /Accept/ }).click();
  await b.getByText("The case is yours now.").waitFor();
  await b.getByRole("heading", { name: `Case ${code}` }).waitFor();
  const owner = (await b.locator("dt:has-text('Owner') + dd").textContent()).trim();
  if (owner !== B_NAME) throw new Error(`expected ${B_NAME} to own the case, the page says ${owner}`);
  step(`${B} accepted and owns ${code}`);

  // B resolves with a summary, confirming that it is public.
  await b.locator("summary", { hasText: "Resolve" }).click();
  await b.getByLabel("Summary").fill("Lamppu vaihdettiin.");
  let confirmed = "";
  b.once("dialog", (dialog) => { confirmed = dialog.message(); dialog.accept(); });
  await b.getByRole("button", { name: "Mark resolved" }).click();
  await b.getByText("Case resolved and the resident told.").waitFor();
  await b.locator("dt:has-text('Status') + dd", { hasText: "Resolved" }).waitFor();
  if (!/public tracking page/.test(confirmed)) throw new Error(`resolving should ask for confirmation; it asked "${confirmed}"`);
  step("resolved, after confirming the summary is public");

  // A is no longer the owner: the case page says where it went, read-only.
  const response = await a.goto(`${a.url().split("?")[0]}`);
  if (response.status() !== 200) throw new Error(`expected the former owner's read-only view, got ${response.status()}`);
  await a.locator("[data-now-with]", { hasText: `This case is now with ${B_NAME}` }).waitFor();
  if (await a.locator("#reply-body").count() !== 0) throw new Error("the former owner can still reply");
  await expectAccessible(a, "the former owner's view");
  step("the former owner reads 'now with' and cannot act");

  // The Finnish console passes axe too.
  await b.goto(CONSOLE + "/");
  await b.getByLabel("Language").selectOption("fi");
  await b.locator("form[action='/language'] button").click();
  await b.getByRole("heading", { name: /Omat tapaukset/ }).waitFor();
  await expectAccessible(b, "the inbox in Finnish");

  // Signing out ends the session: the inbox asks for sign-in again.
  await b.getByRole("button", { name: "Kirjaudu ulos" }).click();
  await b.waitForURL(/\/sign-in/);
  await b.goto(CONSOLE + "/");
  if (!b.url().includes("/sign-in")) throw new Error("the session survived signing out");
  step("signed out");
});
