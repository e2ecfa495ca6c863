// One resident across channels, in a real browser (issue 20). In the
// console the owner of a chat case sees it reaches the resident only by
// chat, links its resident with the one who texted (by the texted case's
// tracking code, with a reason), sees SMS and Chat among the ways to reach
// them, picks SMS for a reply and sends it. In the chat page a resident
// leaves a phone number: a wrong one is explained in Finnish, a code is
// texted (read back from the Twilio stand-in), a wrong code is refused and
// the right one confirms it. axe-core checks each state, at desktop and
// phone widths. Started by tests/e2e/residents.rs.
import { env, signIn, expectAccessible, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const GATEWAY = env("GATEWAY");
const SANDBOX = env("SANDBOX");
const PASSWORD = env("PASSWORD");
const CHAT_ID = env("CHAT_ID");
const TEXTED_CODE = env("TEXTED_CODE");
// A phone nobody has used yet, for the chat page's resident.
const NEW_PHONE = "+358405550177";

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png`, fullPage: true });
}

await run(async (browser) => {
  const owner = await newPage(browser, { locale: "en-GB", viewport: { width: 1366, height: 900 } });
  await signIn(owner, CONSOLE, "aino", PASSWORD);
  await owner.goto(`${CONSOLE}/cases/${CHAT_ID}`);
  const reach = owner.locator("[data-reachable]");
  if ((await reach.textContent())?.trim() !== "Chat") throw new Error(`reachable before the link: ${await reach.textContent()}`);
  if (await owner.locator("#reply-channel").count()) throw new Error("a channel choice with one channel to choose");
  await owner.getByText("The same person as in another case").click();
  await expectAccessible(owner, "the link form");
  await owner.getByLabel("The tracking code of their other case").fill(TEXTED_CODE.toLowerCase());
  await owner.getByLabel("How you know they are the same person").fill("Kertoi chatissa tekstanneensa eilen samasta valosta.");
  await owner.locator("button[data-link]").click();
  await owner.waitForURL(`${CONSOLE}/cases/${CHAT_ID}?done=linked`);
  await owner.getByText("Residents linked: one person, who can be answered on every channel they have.").waitFor();
  await reach.filter({ hasText: "SMS" }).waitFor();
  await owner.locator("#timeline, body").getByText(TEXTED_CODE).first().waitFor();
  await expectAccessible(owner, "the case after the link");
  step("linked: the chat case's resident is reachable by SMS and chat");

  // The default is the chat, where she last wrote; the owner picks SMS.
  const channel = owner.getByLabel("Send by");
  if ((await channel.inputValue()) !== "chat") throw new Error(`default channel ${await channel.inputValue()}`);
  await channel.selectOption("sms");
  await owner.getByLabel("Reply to the resident", { exact: true }).fill("Tulemme huomenna katsomaan valoa.");
  const count = (await owner.locator("#reply-count").textContent()) ?? "";
  if (!/SMS|message/i.test(count)) throw new Error(`the counter does not count SMS parts once SMS is picked: "${count}"`);
  await shot(owner, "case-linked-reply-by-sms");
  await owner.getByRole("button", { name: "Send reply" }).click();
  await owner.waitForURL(`${CONSOLE}/cases/${CHAT_ID}?done=replied`);
  step("a reply sent by SMS from a chat case");

  // The chat page: a resident leaves a phone, confirmed by a texted code.
  const resident = await newPage(browser, { locale: "fi-FI", viewport: { width: 390, height: 844 } });
  await resident.goto(`${GATEWAY}/chat?lang=fi`);
  await resident.getByText("Yhteys on auki.").waitFor();
  if (await resident.locator("#contact").isVisible()) throw new Error("the contact offer shows before there is a case");
  await resident.getByLabel("Viestisi").fill("Roska-astia on kaatunut Hakaniemessä");
  await resident.getByRole("button", { name: "Lähetä", exact: true }).click();
  await resident.locator("#case-owner").filter({ hasText: "Aino" }).waitFor();
  await resident.getByText("Vastaus myös tekstiviestinä tai sähköpostina?").click();
  if (await resident.locator("#contact-confirm").isVisible()) throw new Error("the code box shows before a code was sent");
  await expectAccessible(resident, "the chat's contact form, on a phone");
  const address = resident.getByLabel("Puhelinnumero tai sähköpostiosoite");
  await address.fill("soita minulle");
  await resident.getByRole("button", { name: "Lähetä koodi" }).click();
  await resident.locator("#contact-error").filter({ hasText: "ei näytä puhelinnumerolta" }).waitFor();
  await address.fill("040 555 0177");
  await resident.getByRole("button", { name: "Lähetä koodi" }).click();
  await resident.locator("#contact-status").filter({ hasText: "Lähetimme vahvistuskoodin" }).waitFor();
  let code = null;
  for (let i = 0; i < 50 && !code; i++) {
    const sent = await (await fetch(`${SANDBOX}/sandbox/messages`)).json();
    const sms = sent.filter((s) => s.to === NEW_PHONE && s.body.includes("Vahvistuskoodisi")).pop();
    code = sms ? sms.body.match(/\b\d{6}\b/)[0] : null;
    if (!code) await new Promise((r) => setTimeout(r, 200));
  }
  if (!code) throw new Error("no code was texted to the phone");
  const codeBox = resident.getByLabel("Vahvistuskoodi (6 numeroa)");
  await codeBox.fill(code === "000000" ? "111111" : "000000");
  await resident.getByRole("button", { name: "Vahvista" }).click();
  await resident.locator("#contact-error").filter({ hasText: "Koodi ei ole oikein" }).waitFor();
  await expectAccessible(resident, "a wrong code, explained");
  await codeBox.fill(code);
  await resident.getByRole("button", { name: "Vahvista" }).click();
  await resident.locator("#contact-status").filter({ hasText: "Vahvistettu" }).waitFor();
  await shot(resident, "chat-contact-confirmed-phone");
  await expectAccessible(resident, "the chat after confirming a phone");
  step("the chat resident confirmed a phone with a texted code");
});
