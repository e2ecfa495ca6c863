// Shared by the browser tests: launches Debian's Chromium through
// playwright-core (never a downloaded browser) and checks pages with axe-core.
// Each script is started by a Rust end-to-end test (tests/e2e/browser.rs),
// which passes the servers' URLs and logins in the environment.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The environment variable `name`, or a clear failure. */
export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`the test harness did not set ${name}`);
  return value;
}

/** Chromium with the flags that work on these machines (no sandbox as
 *  root, nothing reaching out to Google's servers). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Signs `username` in to the console at `consoleUrl` with the password
 *  form, landing on the inbox. */
export async function signIn(page, consoleUrl, username, password) {
  await page.goto(consoleUrl + "/sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(consoleUrl + "/");
}

/** A fresh browser context (its own cookies) whose page fails the test on
 *  any script error or CSP violation. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => { throw new Error(`script error on ${page.url()}: ${e.message}`); });
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy|Refused to/.test(msg.text())) {
      console.error(`CSP violation on ${page.url()}: ${msg.text()}`);
      process.exitCode = 1;
    }
  });
  return page;
}

/** Runs axe-core on the page and throws if it finds any WCAG 2.0/2.1 A or
 *  AA violation. axe is evaluated through the DevTools protocol, which the
 *  page's CSP does not apply to, so the page needs no test-only relaxation. */
export async function expectAccessible(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  });
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) =>
      `- ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n    ")}`);
    throw new Error(`axe found ${result.violations.length} WCAG 2.1 AA violation(s) on ${label}:\n${lines.join("\n")}`);
  }
  step(`${label}: no WCAG 2.1 AA violations (${result.passes.length} rules passed)`);
  // SCREENSHOTS=<dir> keeps a picture of every page state axe checked, for
  // a person to look at: an assertion cannot tell a page looks wrong.
  if (process.env.SCREENSHOTS) {
    const width = page.viewportSize()?.width ?? 0;
    const name = `${label.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "")}-${width}.png`;
    await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}`, fullPage: true });
  }
}

/** Fails unless `locator`'s text is `expected` (a string, exactly, trimmed) or matches it (a RegExp). */
export async function expectText(locator, expected, what) {
  const text = (await locator.textContent()).trim();
  const ok = expected instanceof RegExp ? expected.test(text) : text === expected;
  if (!ok) throw new Error(`${what}: expected "${expected}", got "${text}"`);
}

/** Fails when the page is wider than the window (WCAG 1.4.10 Reflow),
 *  naming the elements sticking out. A table in its own scrolling box
 *  (`.table-scroll`, `.open-scroll`) may be wider: the box scrolls, not
 *  the page. */
export async function expectNoSidewaysScroll(page, label) {
  const { scrollWidth, clientWidth, culprits } = await page.evaluate(() => {
    const root = document.documentElement;
    const boxes = ".table-scroll, .open-scroll";
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
      .filter((el) => !el.parentElement?.closest(boxes))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")} (right ${Math.round(el.getBoundingClientRect().right)})`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits };
  });
  if (scrollWidth > clientWidth) {
    throw new Error(`${label} scrolls sideways: ${scrollWidth} px of page in ${clientWidth} px; sticking out: ${culprits.join(", ")}`);
  }
  step(`${label}: no sideways scrolling`);
}

/** Logs a step, so a failure shows how far the script got. */
export function step(text) {
  console.log(`✓ ${text}`);
}

/** Runs `main`, closing the browser and failing the process on any error. */
export async function run(main) {
  const browser = await launch();
  try {
    await main(browser);
  } catch (e) {
    console.error(e && e.stack ? e.stack : String(e));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
