// first-screen.test.mjs: the first screen has one first step (issue 13): with
// no view and no tour in the link, the lookup is shown alone and its name field
// has the keyboard, so typing an athlete works at once; a link to a view opens
// the full grid, where nothing takes the keyboard by itself. The name field's
// suggestion list opens only once the reader types, so it covers nothing on arrival.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, watch, openPage, frames, expectNoErrors, expectNotBlank, parseQuery } from "./harness.mjs";

const wantsText = (page) => page.evaluate(() => {
  const f = window.Module && (window.Module._factlab_wants_text || window.Module.asm?.factlab_wants_text);
  return f ? f() : -1;
});

for (const [w, h] of [[1280, 800], [390, 844]]) {
  describe(`first screen at ${w}x${h}`, () => {
    let S, page, wt;
    const setup = once(async () => {
      S = await session({ viewport: { width: w, height: h } });
      page = await S.context.newPage();
      wt = watch(page, `first-${w}`);
    });
    after(async () => { await setup.value(); if (S) await S.close(); });

    it("opens on the lookup alone, its name field focused; typing looks a name up", async () => {
      await setup();
      await openPage(S.context, S.url("index.html"), { page, settle: 6 });
      assert.equal(await wantsText(page), 1, "the name field does not have the keyboard");
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      assert.ok(!("view" in st) && !("tour" in st), `first screen state: ${JSON.stringify(st)}`);
      await expectNotBlank(page, `first-screen-${w}`);
      // The field has the keyboard, but its suggestion list waits for typing: it would cover the "Try:" chips.
      const lists = async () => (await page.evaluate(() => window.factlab.tour().windows)).filter((n) => n.startsWith("##picker_list"));
      assert.deepEqual(await lists(), [], "the suggestion list is open before anything was typed");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("Michael Ph");
      await frames(page, 4);
      assert.equal((await lists()).length, 1, "typing did not open the suggestion list");
      await page.keyboard.type("elps");
      await page.keyboard.press("Enter");
      await frames(page, 6);
      const st2 = parseQuery(await page.evaluate(() => window.factlab.getState()));
      assert.equal(st2.subject, "Michael Phelps", `typing did not look the name up: ${JSON.stringify(st2)}`);
      assert.ok(!("view" in st2), "typing left the first screen");
    });

    it("a link to a view opens the grid, where no field takes the keyboard", async () => {
      await setup();
      await page.goto("about:blank");
      await openPage(S.context, S.url("index.html#view=lookup"), { page, settle: 6 });
      assert.equal(await wantsText(page), 0);
    });

    it("logged no console errors", async () => { await setup(); expectNoErrors(wt, "first screen"); });
  });
}
