// The resident web chat in a real browser: write, see the named owner,
// see the owner typing, receive a reply sent through the console API, see
// the message marked read, reload and find the history, answer "Was this
// solved?" with the buttons, then open the tracking page. axe-core checks
// both pages for WCAG 2.1 AA violations. Last, a city page (served by the
// browser itself at an allowed origin) includes /chat/embed.js and opens
// the chat from its button.
import { createServer } from "node:http";
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const gateway = env("GATEWAY");
const console_ = env("CONSOLE");
const username = env("RESPONDER");
const password = env("PASSWORD");
const cityOrigin = env("CITY_ORIGIN");

async function api(path, token, body) {
  const response = await fetch(`${console_}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

await run(async (browser) => {
  const page = await newPage(browser);
  await page.goto(`${gateway}/chat?lang=fi`);
  await page.getByText("Yhteys on auki.").waitFor();
  await expectAccessible(page, "the empty chat");

  // Empty and too-long messages are explained, and nothing typed is lost
  // (no maxlength cuts a long paste silently).
  await page.getByLabel("Viestisi").focus();
  await page.keyboard.press("Control+Enter");
  await page.getByText("Kirjoita viesti ennen lähettämistä.").waitFor();
  const tooLong = "a".repeat(2001);
  await page.getByLabel("Viestisi").fill(tooLong);
  await page.locator("#message-count.over", { hasText: "2001 / 2000 merkkiä" }).waitFor();
  await page.getByRole("button", { name: "Lähetä" }).click();
  await page.getByText("Viestissä on 2001 merkkiä; enintään 2000 mahtuu.").waitFor();
  if ((await page.getByLabel("Viestisi").inputValue()) !== tooLong) throw new Error("the too-long message was cut or lost");
  await page.getByLabel("Viestisi").fill("");
  await page.locator("#message-count", { hasText: "0 / 2000 merkkiä" }).waitFor();
  if ((await page.locator("#message-error").textContent()) !== "") throw new Error("the too-long message stays after clearing");
  step("an empty or too-long message is explained, and the text is kept");

  // Keyboard only: focus the message field by its label, type, Ctrl+Enter.
  await page.getByLabel("Viestisi").focus();
  await page.keyboard.type("Katuvalo ei pala Fleminginkadulla");
  const sentAt = Date.now();
  await page.keyboard.press("Control+Enter");
  const owner = page.locator("#case-owner");
  await owner.filter({ hasText: "Asiaasi hoitaa Aino" }).waitFor({ timeout: 5000 });
  // The case's district is not known yet: none is shown, never Aino's home area.
  if ((await owner.textContent()).includes("Kallio")) throw new Error("the chat shows the owner's home area as the case's");
  step(`the owner's name shows ${Date.now() - sentAt} ms after sending`);
  const code = (await page.locator("#case-code").textContent()).trim();
  if (!/^[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code)) throw new Error(`no tracking code: ${code}`);
  await page.locator(".chat-msg.from-batline").filter({ hasText: code }).waitFor();
  step(`tracking code ${code} and the automatic answer are shown`);

  const { token } = await api("/api/v1/sessions", null, { username, password });
  const cases = await api("/api/v1/cases", token);
  const mine = cases.find((c) => c.tracking_code === code);
  if (!mine) throw new Error(`${code} is not among ${username}'s cases`);

  await api(`/api/v1/cases/${mine.id}/typing`, token, {});
  await page.getByText("Aino kirjoittaa…").waitFor();
  step("the owner's typing shows");
  await api(`/api/v1/cases/${mine.id}/replies`, token, { body: "Kiitos! Korjaamme valon huomenna." });
  await page.locator(".chat-msg.from-responder").filter({ hasText: "Korjaamme valon huomenna" }).waitFor();
  step("the reply arrives live");
  await api(`/api/v1/cases/${mine.id}/replies`, token, { body: "Lisätietoa: https://www.hel.fi/katuvalot." });
  const link = page.locator(".chat-msg.from-responder a[href='https://www.hel.fi/katuvalot']");
  await link.waitFor();
  if ((await link.getAttribute("rel")) !== "noopener noreferrer") throw new Error("a link in a message opens without noopener");
  step("a web address in a message is a link");
  await api(`/api/v1/cases/${mine.id}`, token);
  await page.locator(".chat-msg.from-resident .chat-state").filter({ hasText: "Luettu" }).waitFor();
  step("the resident's message shows as read");
  await expectAccessible(page, "the chat with a conversation");
  // SCREENSHOTS=dir keeps pictures of the pages for a person to look at.
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/chat.png`, fullPage: true });

  await page.reload();
  await page.getByText("Yhteys on auki.").waitFor();
  await page.locator(".chat-msg.from-resident").filter({ hasText: "Katuvalo ei pala" }).waitFor();
  await page.locator(".chat-msg.from-responder").filter({ hasText: "Korjaamme valon huomenna" }).waitFor();
  await owner.filter({ hasText: "Aino" }).waitFor();
  const order = await page.locator(".chat-msg .chat-body").allTextContents();
  if (!order[0].startsWith("Katuvalo") || !order[order.length - 1].startsWith("Lisätietoa")) {
    throw new Error(`history out of order after reload: ${JSON.stringify(order)}`);
  }
  step("after a reload the history is there, in order");

  await api(`/api/v1/cases/${mine.id}/resolve`, token, { summary: "Lamppu vaihdettiin." });
  await page.getByRole("group", { name: "Ratkesiko asiasi?" }).waitFor();
  await page.locator("#case-status").filter({ hasText: "Ratkaistu" }).waitFor();
  await expectAccessible(page, "the chat asking whether it was solved");
  await page.getByRole("button", { name: "4", exact: true }).click();
  await page.getByText("Kiitos vastauksestasi.").waitFor();
  await page.locator(".chat-msg.from-batline").filter({ hasText: "Kiitos" }).last().waitFor();
  step("the satisfaction buttons answer once");

  await page.goto(`${gateway}/track/${code}?lang=fi`);
  await page.getByText("Asian otti hoitaakseen Aino.").waitFor();
  await page.getByText("Ratkaistu", { exact: true }).waitFor();
  await page.locator("#conversation .chat-msg").filter({ hasText: "Korjaamme valon huomenna" }).waitFor();
  step("the tracking page tells the story and shows the chat resident the conversation");
  await expectAccessible(page, "the tracking page");
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/track.png`, fullPage: true });

  // Someone else with only the code sees the story, not the conversation.
  const stranger = await newPage(browser);
  await stranger.goto(`${gateway}/track/${code}?lang=en`);
  await stranger.getByText("Aino took the case on.").waitFor();
  if (await stranger.locator("#conversation").isVisible()) throw new Error("a stranger sees the conversation");
  await expectAccessible(stranger, "the tracking page for a stranger");

  // A resident types their code at /track: mistyped, unknown, then right,
  // and always a page in their language with the form, never a JSON error.
  const typing = await newPage(browser);
  await typing.goto(`${gateway}/track?lang=sv`);
  await expectAccessible(typing, "the page where a code is typed");
  await typing.getByLabel("Uppföljningskod").fill("K7QD-4M2");
  await typing.getByRole("button", { name: "Visa ärendet" }).click();
  await typing.getByText("är ingen uppföljningskod").waitFor();
  await expectAccessible(typing, "a mistyped code");
  await typing.goto(`${gateway}/track/${code.slice(0, 5)}ZZZ9?lang=en`);
  await typing.getByText("No case has the code").waitFor();
  await expectAccessible(typing, "an unknown code");
  await typing.goto(`${gateway}/track?lang=sv`);
  await typing.getByLabel("Uppföljningskod").fill(code.toLowerCase().replace("-", " "));
  await typing.getByRole("button", { name: "Visa ärendet" }).click();
  await typing.waitForURL(`**/track/${code}?lang=sv`);
  step("a resident types their code, mistypes it, and finds the case");
  if (process.env.SCREENSHOTS) await typing.screenshot({ path: `${process.env.SCREENSHOTS}/track-typed.png`, fullPage: true });

  // A city page embeds the chat with one script tag. It is served from the
  // loopback like the gateway (Chromium keeps public pages from loading
  // private addresses), at another origin: the one BATLINE_CHAT_ORIGINS lists.
  const site = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="sv"><head><title>Staden</title></head><body><main><h1>Staden</h1>
      <p>Information om parker.</p></main><script src="${gateway}/chat/embed.js" defer></script></body></html>`);
  });
  await new Promise((resolve) => site.listen(Number(new URL(cityOrigin).port), "127.0.0.1", resolve));
  site.unref(); // never what keeps the script alive, even when a step fails

  const city = await newPage(browser);
  city.on("console", (m) => { if (m.type() === "error") console.log(`city page: ${m.text()}`); });
  await city.goto(`${cityOrigin}/parker`);
  await city.getByRole("button", { name: "Fråga staden" }).focus();
  const toggle = city.locator("#batline-chat-toggle");
  await city.keyboard.press("Enter");
  const chatFrame = city.frameLocator("iframe[title='Stadens chatt']");
  await chatFrame.getByText("Anslutningen är öppen.").waitFor();
  await chatFrame.getByLabel("Ditt meddelande").waitFor();
  if ((await toggle.getAttribute("aria-expanded")) !== "true") throw new Error("the toggle does not say it is open");
  await city.getByRole("button", { name: "Stäng chatten" }).waitFor();
  // Escape closes the panel with focus inside the chat's frame, too.
  await chatFrame.getByLabel("Ditt meddelande").focus();
  await city.keyboard.press("Escape");
  await city.waitForFunction(() => document.getElementById("batline-chat-toggle").getAttribute("aria-expanded") === "false");
  if ((await toggle.getAttribute("aria-expanded")) !== "false") throw new Error("Escape does not close the chat");
  step("a city page opens the chat from the embed script, in its own language, by keyboard");
  await expectAccessible(city, "a city page with the embedded chat button");
  site.closeAllConnections();
  site.close();

  // A page Batline does not allow to frame the chat gets a link to open it
  // in a new tab, not a broken frame.
  const other = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><title>Elsewhere</title></head><body><main><h1>Elsewhere</h1></main>
      <script src="${gateway}/chat/embed.js" defer></script></body></html>`);
  });
  await new Promise((resolve) => other.listen(0, "127.0.0.1", resolve));
  other.unref();
  // Not newPage: the refused frame is exactly the CSP refusal newPage fails on.
  const elsewhere = await (await browser.newContext()).newPage();
  await elsewhere.goto(`http://127.0.0.1:${other.address().port}/`);
  await elsewhere.getByRole("button", { name: "Ask the city" }).click();
  const newTab = elsewhere.getByRole("link", { name: "Open the chat in a new tab" });
  await newTab.waitFor({ timeout: 10000 });
  if ((await newTab.getAttribute("href")) !== `${gateway}/chat?lang=en`) throw new Error("the new-tab link goes elsewhere");
  step("a page not allowed to frame the chat offers it in a new tab");
  await expectAccessible(elsewhere, "a page whose frame was refused");
  other.closeAllConnections();
  other.close();
});
