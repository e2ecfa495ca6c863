// "Share my location" in the chat (issue 19): the browser (with the
// resident's consent, granted here for a point in Vuosaari) gives the chat
// its position; the message shows the point, the case learns its place and
// district, and the chat's owner line names the district. Started by
// tests/e2e/chat_browser.rs with GATEWAY, LAT and LON.
import { env, expectAccessible, newPage, run, step } from "./support.mjs";

const gateway = env("GATEWAY");
const latitude = Number(env("LAT"));
const longitude = Number(env("LON"));

await run(async (browser) => {
  const page = await newPage(browser, { locale: "en-GB", geolocation: { latitude, longitude }, permissions: ["geolocation"] });
  await page.goto(`${gateway}/chat?lang=en`);
  await page.getByText("Connected.").waitFor();
  const share = page.getByRole("button", { name: "Share my location" });
  await share.waitFor();
  await expectAccessible(page, "the chat with its share-location button");

  await page.getByLabel("Your message").fill("The bench in the park is broken");
  await page.getByRole("button", { name: "Send" }).click();
  const owner = page.locator("#case-owner");
  await owner.filter({ hasText: "Aino" }).waitFor();
  step("a chat case with an owner");

  await share.click();
  await page.locator(".chat-msg.from-resident").filter({ hasText: "📍 60.20960, 25.14360" }).waitFor();
  await owner.filter({ hasText: "Vuosaari" }).waitFor({ timeout: 10000 });
  await expectAccessible(page, "the chat after sharing the location");
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/chat-location.png`, fullPage: true });
  step("the shared point is in the conversation and the case is in Vuosaari");
});
