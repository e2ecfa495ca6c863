// A new chat refused in a real browser: the address has used its new chats
// (BATLINE_CHAT_NEW_PER_HOUR=1, one at once), so a second resident's first
// message is not sent, and the page says, in their language, to try again
// later or to call or text the line's number. The first resident's chat
// goes on.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const gateway = env("GATEWAY");
const line = env("LINE");

await run(async (browser) => {
  const first = await newPage(browser);
  await first.goto(`${gateway}/chat?lang=en`);
  await first.getByText("Connected.").waitFor();
  await first.getByLabel("Your message").fill("The street light is out");
  await first.getByRole("button", { name: "Send" }).click();
  await first.locator("#case-owner").filter({ hasText: "Aino" }).waitFor();
  step("the first new chat opens a case");

  // Another browser (no session token) from the same address.
  const second = await newPage(browser);
  await second.goto(`${gateway}/chat?lang=sv`);
  await second.getByText("Anslutningen är öppen.").waitFor();
  await second.getByLabel("Ditt meddelande").fill("Soptunnan är full");
  await second.getByRole("button", { name: "Skicka" }).click();
  const error = second.locator("#message-error");
  await error.filter({ hasText: "Det går inte att börja ett nytt samtal just nu" }).waitFor();
  const text = await error.textContent();
  if (!text.includes(line)) throw new Error(`the message names no number to call: ${text}`);
  if (!(await second.locator("#case").isHidden())) throw new Error("a refused chat shows a case");
  step(`the second is told in Swedish to try later or call ${line}`);
  await expectAccessible(second, "the chat with a refused new chat");

  await first.getByLabel("Your message").fill("It is on Fleminginkatu");
  await first.getByRole("button", { name: "Send" }).click();
  await first.locator(".chat-msg.from-resident .chat-state").filter({ hasText: "Sent" }).nth(1).waitFor();
  step("the open chat goes on");
});
