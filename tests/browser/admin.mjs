// An admin's round of the administration pages, in a real browser:
// add a walk-in point, add a responder (home point, skills, phone) after a
// refused first try, change their skills, reset their password, import a
// roster (after a refused CSV), add an SLA policy version, add a canned
// reply and archive another, issue a city app an Open311 key (shown once)
// and revoke it. axe-core checks every admin page. A plain
// responder gets 403 on every admin page and action; nobody signed in is
// sent to sign in. The Rust test checks the database afterwards.
import { env, expectAccessible, expectText, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const PASSWORD = env("PASSWORD");
const ADMIN = env("ADMIN");
const RESPONDER = env("RESPONDER"); // a plain responder, also put on the roster
const NEW_USER = env("NEW_USER"); // the responder the admin adds
const NEW_PASSWORD = env("NEW_PASSWORD");
const ROSTER_DATE = env("ROSTER_DATE"); // a day within the coming week

const ADMIN_PAGES = ["/admin", "/admin/responders", "/admin/walk-in-points", "/admin/roster", "/admin/sla-policies", "/admin/canned-replies", "/admin/open311"];

async function signIn(page, username, password = PASSWORD) {
  await page.goto(CONSOLE + "/sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

/** Submits a form and waits for the page it leads to (a redirect or a re-rendered page). */
async function submit(page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name, exact: true }).click()]);
}

async function expectRefused(page, pattern, what) {
  const error = page.locator(".flash.error");
  await error.waitFor();
  const text = (await error.textContent()).trim();
  if (!pattern.test(text)) throw new Error(`${what}: expected an error like ${pattern}, got "${text}"`);
}

run(async (browser) => {
  // Nobody signed in: an admin page sends the browser to sign in, and back afterwards.
  const anon = await newPage(browser, { locale: "en-GB" });
  await anon.goto(CONSOLE + "/admin/roster");
  if (!anon.url().includes("/sign-in?next=%2Fadmin%2Froster")) throw new Error(`expected sign-in, got ${anon.url()}`);
  step("not signed in: sent to sign in");

  const page = await newPage(browser, { locale: "en-GB" });
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Administration" }).first().click();
  await page.waitForURL(CONSOLE + "/admin");
  await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
  await expectAccessible(page, "the admin overview");

  // A walk-in point: backwards hours are refused with what was typed kept.
  await page.locator(".admin-sections").getByRole("link", { name: "Walk-in points" }).click();
  await page.getByRole("heading", { level: 1, name: "Walk-in points" }).waitFor();
  await expectAccessible(page, "the walk-in points page");
  await page.locator("#point-name").fill("Batcave Vallila");
  await page.locator("#point-address").fill("Vallilan koulu, Vallilantie 1");
  // The area is chosen from the city's districts, not typed.
  await page.locator("#point-area").selectOption({ label: "Vallila" });
  await page.locator("#point-hours").fill("mon-fri 16:00-08:00");
  await submit(page, "Add walk-in point");
  await expectRefused(page, /closing 08:00:00 must come after opening 16:00:00/, "backwards hours");
  if ((await page.locator("#point-name").inputValue()) !== "Batcave Vallila") throw new Error("the name typed was lost");
  await expectAccessible(page, "the walk-in points page with an error");
  await page.locator("#point-hours").fill("mon-fri 08:00-16:00, sat 10:00-14:00");
  await submit(page, "Add walk-in point");
  await page.getByText("Walk-in point added.").waitFor();
  await expectText(page.locator('[data-point="Batcave Vallila"] [data-hours]'), "mon-fri 08:00-16:00, sat 10:00-14:00", "the hours shown");
  step("walk-in point added");

  // A responder: a taken username is refused, the form keeps what was typed.
  await page.goto(CONSOLE + "/admin/responders");
  await expectAccessible(page, "the responders page");
  await page.locator("#username").fill(RESPONDER);
  await page.locator("#display_name").fill("Kaisa");
  await page.locator("#password").fill("alkusalasana 2026");
  await page.locator("#lang-sv").check();
  // Areas are ticked from the city's districts and topics from the service
  // catalogue, not typed.
  const areas = page.getByRole("group", { name: "Areas" });
  await areas.getByLabel("Vallila", { exact: true }).check();
  await areas.getByLabel("Kallio", { exact: true }).check();
  await page.locator("#topic-parks").check();
  await page.locator("#capacity").fill("6");
  await page.locator("#phone").fill("+358 40 555 0199");
  await page.locator("#home_point").selectOption({ label: "Batcave Vallila" });
  await submit(page, "Add responder");
  await expectRefused(page, /exists already/, "a taken username");
  for (const area of ["Vallila", "Kallio"]) {
    if (!(await areas.getByLabel(area, { exact: true }).isChecked())) throw new Error(`the area ${area} ticked was lost`);
  }
  if (!(await page.locator("#lang-sv").isChecked())) throw new Error("the languages ticked were lost");
  if (!(await page.locator("#topic-parks").isChecked())) throw new Error("the topics ticked were lost");
  await page.locator("#username").fill(NEW_USER);
  await page.locator("#password").fill("alkusalasana 2026");
  await submit(page, "Add responder");
  await page.getByText("Responder added.").waitFor();
  const row = page.locator(`[data-responder="${NEW_USER}"]`);
  for (const expected of ["Kaisa", "+358405550199", "Batcave Vallila", "0 / 6"]) {
    if (!(await row.textContent()).includes(expected)) throw new Error(`the new responder's row lacks "${expected}"`);
  }
  await expectText(row.locator("[data-languages]"), "fi, sv", "languages");
  await expectText(row.locator("[data-areas]"), "Kallio, Vallila", "areas");
  step(`${NEW_USER} added`);

  // Change their skills and role.
  await row.getByRole("link", { name: /Edit/ }).click();
  await page.getByRole("heading", { level: 1, name: "Edit responder: Kaisa" }).waitFor();
  await expectAccessible(page, "the edit responder page");
  await page.locator("#lang-sv").uncheck();
  await page.locator("#lang-en").check();
  await page.locator("#topic-streets").check();
  await page.locator("#capacity").fill("8");
  await page.locator("#role").selectOption("lead");
  await page.locator("#phone").fill("");
  await submit(page, "Save");
  await page.getByText("Changes saved.").waitFor();
  await expectText(row.locator("[data-languages]"), "fi, en", "languages after the edit");
  await expectText(row.locator("[data-topics]"), "Streets and street lighting, Parks and green areas", "topics after the edit");
  step(`${NEW_USER}'s skills changed`);

  // Resetting their password signs them out everywhere.
  const kaisa = await newPage(browser, { locale: "en-GB" });
  await signIn(kaisa, NEW_USER, "alkusalasana 2026");
  await row.getByRole("link", { name: /Edit/ }).click();
  await page.locator("#new-password").fill(NEW_PASSWORD);
  await submit(page, "Reset password");
  await page.getByText(/Password reset/).waitFor();
  await kaisa.goto(CONSOLE + "/");
  if (!kaisa.url().includes("/sign-in")) throw new Error("the old session survived the password reset");
  step("password reset; the old session ended");

  // The backstop cannot simply stop being one: refused on the edit page.
  await page.goto(CONSOLE + "/admin/responders");
  const backstopRow = page.locator("tr", { has: page.locator("td", { hasText: /^yes$/ }) });
  await backstopRow.getByRole("link", { name: /Edit/ }).click();
  await page.locator("#backstop").uncheck();
  await submit(page, "Save");
  await expectRefused(page, /always be a backstop/, "undesignating the backstop");
  await expectAccessible(page, "the edit responder page with an error");
  step("the backstop stays");

  // A roster: a bad row is refused and named; then a good one is imported.
  await page.locator(".admin-nav").getByRole("link", { name: "Roster" }).click();
  await page.getByRole("heading", { level: 1, name: "Roster" }).waitFor();
  await expectAccessible(page, "the roster page");
  const bad = `date,start,end,area,lead,members\n${ROSTER_DATE},8am,16:00,Vallila,${NEW_USER},${RESPONDER}\n`;
  await page.locator("#csv").fill(bad);
  await submit(page, "Import shifts");
  await expectRefused(page, /Row 1: the start “8am” is not like 08:00/, "a bad roster row");
  if ((await page.locator("#csv").inputValue()).trim() !== bad.trim()) throw new Error("the CSV typed was lost");
  // An area must be one of the city's districts...
  await page.locator("#csv").fill(`date,start,end,area,lead,members\n${ROSTER_DATE},08:00,16:00,Valila,${NEW_USER},${RESPONDER}\n`);
  await submit(page, "Import shifts");
  await expectRefused(page, /Row 1: “Valila” is not one of the city's districts/, "a roster area that is no district");
  // ...named as people write it: in Swedish and in lower case it is Vallila.
  await page.locator("#csv").fill(`date,start,end,area,lead,members\n${ROSTER_DATE},08:00,16:00,vallgård,${NEW_USER},${RESPONDER}\n`);
  await submit(page, "Import shifts");
  await page.getByText("Shifts imported.").waitFor();
  await page.locator("[data-shift]", { hasText: "Vallila" }).waitFor();
  await page.locator("#coverage-title").waitFor();
  await expectAccessible(page, "the roster page with a shift and coverage");
  step("roster imported; coverage shown");

  // An SLA policy version for parks texts.
  await page.locator(".admin-nav").getByRole("link", { name: "SLA policies" }).click();
  await expectAccessible(page, "the SLA policies page");
  await page.locator("#channel").selectOption("sms");
  await page.locator("#topic").selectOption("parks");
  await page.locator("#first_response").fill("30");
  await page.locator("#resolution").fill("2880");
  await page.locator("#warn_at").fill("75");
  await page.locator("#sla-hours").fill("mon-fri 08:00-16:00");
  await submit(page, "Add version");
  await page.getByText("The new SLA version is in force.").waitFor();
  const policy = page.locator('[data-current="true"]', { has: page.locator('[data-topic="parks"]') });
  for (const expected of ["SMS", "30 min", "2880 min", "75 %", "mon-fri 08:00-16:00", "current"]) {
    if (!(await policy.textContent()).includes(expected)) throw new Error(`the new policy's row lacks "${expected}": ${await policy.textContent()}`);
  }
  step("SLA policy version added");

  // Canned replies: add a Swedish one, archive an English one.
  await page.locator(".admin-nav").getByRole("link", { name: "Canned replies" }).click();
  await expectAccessible(page, "the canned replies page");
  await page.locator("#canned-language").selectOption("sv");
  await page.locator("#canned-title").fill("Parken städas");
  await page.locator("#canned-body").fill("Tack för tipset! Parken städas i morgon.");
  await submit(page, "Add reply");
  await page.getByText("Canned reply added.").waitFor();
  await page.locator('[data-language="sv"] [data-canned="Parken städas"]').waitFor();
  await page.locator('[data-canned="Looking into it"]').getByRole("button", { name: /Archive/ }).click();
  await page.getByText("Canned reply archived.").waitFor();
  if ((await page.locator('[data-canned="Looking into it"]').count()) !== 0) throw new Error("the archived reply is still listed");
  step("canned reply added and another archived");

  // Open311 keys: issued and shown once, then revoked.
  await page.locator(".admin-nav").getByRole("link", { name: "Open311 keys" }).click();
  await expectAccessible(page, "the Open311 keys page, empty");
  await page.locator("#open311-name").fill("Palautesovellus");
  await submit(page, "Issue key");
  await page.getByText("Key issued.").waitFor();
  const key = (await page.locator("[data-api-key]").textContent()).trim();
  if (key.length !== 43) throw new Error(`the new key is not shown whole: "${key}"`);
  await expectAccessible(page, "the Open311 keys page with a new key");
  await page.goto(CONSOLE + "/admin/open311");
  if ((await page.locator("[data-api-key]").count()) !== 0) throw new Error("the key is shown again");
  await expectText(page.locator('[data-client="Palautesovellus"]'), new RegExp(`…${key.slice(-4)}`), "the key's last characters");
  await page.locator('[data-client="Palautesovellus"]').getByRole("button", { name: /Revoke key/ }).click();
  await page.getByText("Key revoked.").waitFor();
  await expectText(page.locator('[data-client="Palautesovellus"]'), /Revoked \d/, "the revoked key's row");
  step("an Open311 key issued, shown once, and revoked");

  // The admin pages in Finnish pass axe too.
  await page.locator("#ui-language").selectOption("fi");
  await page.locator("form[action='/language'] button").click();
  await page.goto(CONSOLE + "/admin/responders");
  await page.getByRole("heading", { level: 1, name: "Vastaajat" }).waitFor();
  await expectAccessible(page, "the responders page in Finnish");
  // A refused roster is explained in the reader's language, its row named.
  await page.goto(CONSOLE + "/admin/roster");
  await page.locator("#csv").fill(`date,start,end,area,lead,members\n${ROSTER_DATE},08:00,16:00,Vallila,nobody-here,\n`);
  await submit(page, "Tuo vuorot");
  await expectRefused(page, /Rivi 1: käyttäjätunnusta ”nobody-here” ei ole/, "a roster naming nobody, in Finnish");
  await expectAccessible(page, "the roster page with an error in Finnish");
  await page.locator("#csv").fill(`date,start,end,area,lead,members\n${ROSTER_DATE},08:00,16:00,Kalio,${NEW_USER},\n`);
  await submit(page, "Tuo vuorot");
  await expectRefused(page, /Rivi 1: ”Kalio” ei ole kaupungin kaupunginosa/, "a roster area that is no district, in Finnish");
  step("a refused roster is explained in Finnish");

  // The new password works, in the same browser whose session the reset ended.
  await signIn(kaisa, NEW_USER, NEW_PASSWORD);
  if (new URL(kaisa.url()).pathname !== "/") throw new Error(`signing in with the new password led to ${kaisa.url()}`);
  step(`${NEW_USER} signs in with the new password`);

  // A plain responder: 403 on every admin page and action, no admin link.
  const plain = await newPage(browser, { locale: "en-GB" });
  await signIn(plain, RESPONDER);
  if ((await plain.getByRole("link", { name: "Administration" }).count()) !== 0) throw new Error("a responder sees the admin link");
  for (const path of ADMIN_PAGES) {
    const response = await plain.goto(CONSOLE + path);
    if (response.status() !== 403) throw new Error(`a responder got ${response.status()} on ${path}`);
  }
  await plain.getByText("Your role does not allow this page.").waitFor();
  await expectAccessible(plain, "the 403 page");
  const posted = await plain.evaluate(async () => {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const statuses = [];
    for (const [path, fields] of [
      ["/admin/canned-replies", { language: "fi", title: "Ei saa", body: "Ei saa" }],
      ["/admin/open311", { name: "Ei saa" }],
      ["/admin/walk-in-points", { name: "Batcave X", address: "X", area: "X", hours: "" }],
      ["/admin/roster", { csv: "date,start,end,area,lead,members\n" }],
    ]) {
      const res = await fetch(path, { method: "POST", body: new URLSearchParams({ _csrf: csrf, ...fields }) });
      statuses.push(res.status);
    }
    return statuses;
  });
  if (posted.some((s) => s !== 403)) throw new Error(`a responder's admin posts answered ${posted}`);
  step("a plain responder gets 403 on every admin page and action");
});
