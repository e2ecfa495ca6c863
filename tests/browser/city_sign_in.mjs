// Staff sign in with the city's account, in a real browser, through a real
// OpenID Connect provider run locally (tests/oidc/provider.py): the sign-in
// page offers the city's account in the visitor's language; a responder
// and a lead each sign in on the provider's form and land on their own
// pages with their role; someone in no group Batline maps is refused with
// a page saying so; the provider's back-channel logout ends a session at
// once. axe-core checks the sign-in page and the refusal.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const PROVIDER = env("PROVIDER");
const CLIENT_ID = env("CLIENT_ID");

/** From `path` on the console, not signed in, through the provider's form as `sub`. */
async function signInWithCity(page, sub, path) {
  await page.goto(CONSOLE + path);
  if (!page.url().includes("/sign-in")) throw new Error(`expected the sign-in page, got ${page.url()}`);
  await page.getByRole("link", { name: "Sign in with your city account" }).click();
  await page.waitForURL((url) => url.href.startsWith(PROVIDER + "/oauth2/authorize"));
  await page.getByPlaceholder("sub").fill(sub);
  await page.getByRole("button", { name: "Authorize" }).click();
}

/** Waits until `page` shows its session ended: its live socket closed, or
 *  it went to the sign-in page (the console's script may get there first). */
async function noticed(page, timeout) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (new URL(page.url()).pathname === "/sign-in") return;
    const state = await page.evaluate(() => document.body.dataset.liveState).catch(() => undefined);
    if (state === "reconnecting") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the page did not notice its session ended within ${timeout} ms`);
}

run(async (browser) => {
  for (const [locale, label] of [
    ["fi-FI", "Kirjaudu kaupungin tunnuksella"],
    ["sv-FI", "Logga in med stadens konto"],
    ["en-GB", "Sign in with your city account"],
  ]) {
    const page = await newPage(browser, { locale });
    await page.goto(CONSOLE + "/sign-in");
    await page.getByRole("link", { name: label }).waitFor();
    // Passwords are still on here (small deployments, break-glass admins).
    if (await page.locator('input[type="password"]').count() !== 1) throw new Error("no password field");
    await expectAccessible(page, `the sign-in page (${locale})`);
    await page.context().close();
  }

  const aino = await newPage(browser, { locale: "en-GB" });
  await signInWithCity(aino, "s-aino", "/");
  await aino.waitForURL(CONSOLE + "/");
  await aino.getByRole("heading", { name: /My cases/ }).waitFor();
  const asResponder = await aino.goto(CONSOLE + "/lead");
  if (asResponder.status() !== 403) throw new Error(`a responder reached the lead's page: ${asResponder.status()}`);
  await aino.goto(CONSOLE + "/");
  await aino.locator('body[data-live-state="connected"]').waitFor();
  step("aino (a responder's group) signed in and landed on her cases, not the lead's page");

  const eero = await newPage(browser, { locale: "en-GB" });
  await signInWithCity(eero, "s-eero", "/lead");
  await eero.waitForURL(CONSOLE + "/lead");
  await eero.getByRole("heading", { name: "Shift lead" }).waitFor();
  step("eero (the leads' group) signed in and landed on the lead's page");

  const ville = await newPage(browser, { locale: "en-GB" });
  await signInWithCity(ville, "s-ville", "/");
  await ville.getByText("Your city account has no access to Batline").waitFor();
  await expectAccessible(ville, "the refusal");
  await ville.goto(CONSOLE + "/");
  if (!ville.url().includes("/sign-in")) throw new Error(`refused, yet ${ville.url()} opened`);
  step("ville (in no mapped group) was refused");

  // The provider ends aino's session at the city's end: its logout token
  // is signed with the key its JWKS publishes, and sent as a provider would.
  const minted = await fetch(PROVIDER + "/_test/logout-token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ aud: CLIENT_ID, sub: "s-aino" }),
  });
  const { logout_token } = await minted.json();
  const started = Date.now();
  const logout = await fetch(CONSOLE + "/oidc/back-channel-logout", {
    method: "POST",
    body: new URLSearchParams({ logout_token }),
  });
  if (logout.status !== 200) throw new Error(`back-channel logout answered ${logout.status}`);
  // The open page's live socket is closed at once, not at its next
  // heartbeat (30 s): the page notices within seconds, without a reload.
  await noticed(aino, 5000);
  step(`aino's open page lost its live socket (${Date.now() - started} ms)`);
  await aino.goto(CONSOLE + "/");
  await aino.waitForURL((url) => url.pathname === "/sign-in");
  step(`the provider's back-channel logout ended aino's session (${Date.now() - started} ms)`);
  await eero.goto(CONSOLE + "/lead");
  await eero.getByRole("heading", { name: "Shift lead" }).waitFor();
  step("eero is still signed in");
});
