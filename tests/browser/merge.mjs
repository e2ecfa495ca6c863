// Merging two cases in the console, and a lead undoing it, in a real
// browser: the owner opens the second case, merges it into the first by
// its tracking code with a reason, and lands on the surviving case, whose
// conversation holds both residents' words and which lists the merged
// case; a lead opens the merged case, sees where it went and undoes the
// merge. axe-core checks each page state.
import { env, signIn, expectAccessible, newPage, run, step } from "./support.mjs";

const CONSOLE = env("CONSOLE");
const PASSWORD = env("PASSWORD");
const KEEP_ID = env("KEEP_ID");
const KEEP_CODE = env("KEEP_CODE");
const MERGE_ID = env("MERGE_ID");
const MERGE_CODE = env("MERGE_CODE");
const FIRST_WORDS = env("FIRST_WORDS");
const SECOND_WORDS = env("SECOND_WORDS");

run(async (browser) => {
  const owner = await newPage(browser, { locale: "en-GB", viewport: { width: 1366, height: 900 } });
  await signIn(owner, CONSOLE, "aino", PASSWORD);
  await owner.goto(`${CONSOLE}/cases/${MERGE_ID}`);
  await owner.getByText("Merge into another case").click();
  await expectAccessible(owner, "the merge form");
  await owner.getByLabel("The other case's tracking code").fill(KEEP_CODE.toLowerCase());
  await owner.getByLabel("Why they are one matter").fill("Sama ihminen, sama katuvalo: tekstiviesti ja toinen numero.");
  await owner.locator("button[data-merge]").click();
  await owner.waitForURL(`${CONSOLE}/cases/${KEEP_ID}?done=merged`);
  await owner.getByText("Cases merged: both conversations are now on this case.").waitFor();
  const thread = (await owner.locator("#thread").textContent()) ?? "";
  for (const words of [FIRST_WORDS, SECOND_WORDS]) {
    if (!thread.includes(words)) throw new Error(`the surviving case's conversation lacks "${words}"`);
  }
  await owner.locator("[data-merged-here]").getByRole("link", { name: MERGE_CODE }).waitFor();
  await expectAccessible(owner, "the surviving case after a merge");
  step("merged: one conversation with both threads, the merged case listed");

  // The owner cannot undo it; a lead can, from the merged case's page.
  await owner.goto(`${CONSOLE}/cases/${MERGE_ID}`);
  await owner.locator("[data-merged-into]").getByRole("link", { name: KEEP_CODE }).waitFor();
  if (await owner.locator("button[data-unmerge]").count()) throw new Error("a responder is offered to undo a merge");
  const lead = await newPage(browser, { locale: "en-GB", viewport: { width: 390, height: 844 } });
  await signIn(lead, CONSOLE, "liisa", PASSWORD);
  await lead.goto(`${CONSOLE}/cases/${MERGE_ID}`);
  await lead.locator("[data-merged-into]").waitFor();
  await expectAccessible(lead, "a merged case as the lead sees it, on a phone");
  await lead.getByLabel("Why the merge is undone").fill("Eri katuvalot sittenkin.");
  await lead.locator("button[data-unmerge]").click();
  await lead.waitForURL(`${CONSOLE}/cases/${MERGE_ID}?done=unmerged`);
  await lead.getByText("Merge undone: the case is open on its own again.").waitFor();
  if (await lead.locator("[data-merged-into]").count()) throw new Error("the case still says it is merged");
  await expectAccessible(lead, "the case after the merge was undone");
  step("the lead undid the merge");
});
