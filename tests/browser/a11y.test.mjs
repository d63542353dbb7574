// a11y.test.mjs: text outside the canvas and the keyboard (issue 13; docs/accessibility.md).
//   - the live region (#live-result, #live-tour) holds the current view's main result
//     and the tour card as DOM text: "basketball" after a Michael Jordan lookup typed
//     on the keyboard (the real JS -> wasm -> EM_JS -> textContent path), the trace's
//     verdict, the worst pair, the tour's step; the browser's find reaches it;
//   - it is written only when the text changes: frames that change nothing write nothing;
//   - keyboard: Tab from page load lands in the name field; Escape, then Tab leaves the lab;
//   - ?transcript=1 shows the region as a strip under the canvas.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, frames, shoot, expectNoErrors, log } from "./harness.mjs";

const live = (page, id = "live-result") => page.evaluate((id) => document.getElementById(id).textContent, id);
const waitLive = (page, pred, what, id = "live-result", timeout = 20000) =>
  page.waitForFunction(({ id, src }) => (new Function("t", `return (${src})(t)`))(document.getElementById(id).textContent),
    { id, src: pred.toString() }, { timeout }).catch(async () => {
    assert.fail(`${id} never showed ${what}; it holds: ${JSON.stringify(await live(page, id))}`);
  });
const wantsText = (page) => page.evaluate(() => window.Module._factlab_wants_text());

describe("text outside the canvas", () => {
  let S;
  const setup = once(async () => { S = await session({ viewport: { width: 1280, height: 800 } }); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("Tab from page load lands in the name field; typing Michael Jordan and Enter puts basketball in the live region", async () => {
    await setup();
    // The grid (a view in the link): nothing has the keyboard until Tab.
    const { page, w } = await openPage(S.context, S.url("index.html#view=lookup&subject=Michael%20Phelps"), { label: "a11y-tab" });
    await waitLive(page, (t) => t.includes("Michael Phelps") && t.includes("swimming"), "Michael Phelps's answers");
    assert.equal(await wantsText(page), 0, "a field had the keyboard before Tab");
    await page.keyboard.press("Tab");
    await frames(page, 4);
    assert.equal(await wantsText(page), 1, "Tab did not land in the name field");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Michael Jordan");
    await page.keyboard.press("Enter");
    await waitLive(page, (t) => t.includes("Michael Jordan:") && t.includes("sport basketball"), "Michael Jordan's sport");
    const text = await live(page);
    log(`live region after the lookup: ${text}`);
    // The same answer the API computes (not a copy of a fixed string).
    const api = await page.evaluate(() => window.factlab.lookup("Michael Jordan"));
    assert.ok(text.includes(`sport ${api.answers.sport.object} (p ${api.answers.sport.probability.toFixed(2)})`), text);
    assert.ok(text.includes(`team ${api.answers.team.object}`), text);
    assert.ok(text.includes("d = 256"), "the text names the model and its size");
    const role = await page.evaluate(() => [document.getElementById("live-result").getAttribute("role"),
      document.getElementById("live-result").getAttribute("aria-live")]);
    assert.deepEqual(role, ["status", "polite"]);
    // The browser's find (Ctrl-F) reaches it: window.find searches the page's text.
    const found = await page.evaluate(() => { window.getSelection().removeAllRanges(); return window.find("Chicago Bulls (p"); });
    log(`window.find("Chicago Bulls (p") on the visually hidden region: ${found}`);
    assert.equal(found, true, "the browser's find does not reach the live region");
    await shoot(page, "a11y-lookup-keyboard");
    expectNoErrors(w, "keyboard lookup");
    await page.close();
  });

  it("frames that change nothing write nothing; an unknown name says so", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html#view=lookup&subject=Michael%20Jordan"), { label: "a11y-churn" });
    await waitLive(page, (t) => t.includes("basketball"), "basketball");
    await new Promise((r) => setTimeout(r, 1200));       // any throttled write is done
    await page.evaluate(() => {
      window.__liveWrites = 0;
      new MutationObserver((m) => { window.__liveWrites += m.length; })
        .observe(document.getElementById("live"), { childList: true, subtree: true, characterData: true });
    });
    const f0 = await page.evaluate(() => window.factlab.framesDrawn());
    for (let i = 0; i < 20; ++i) { await page.mouse.move(700 + i * 7, 300 + (i % 5) * 9); await frames(page, 1); }
    await frames(page, 6);
    const drawn = (await page.evaluate(() => window.factlab.framesDrawn())) - f0;
    const writes = await page.evaluate(() => window.__liveWrites);
    log(`${drawn} frames drawn while the pointer moved; ${writes} writes to the live region`);
    assert.ok(drawn > 0, "no frames were drawn (the check proves nothing)");
    assert.equal(writes, 0, "the live region was rewritten without a change");
    await page.evaluate(() => window.factlab.setState("view=lookup&subject=Jordan%20Michael"));
    await waitLive(page, (t) => t.includes("Jordan Michael: not in the fact set"), "the unknown name");
    log(`Jordan Michael: ${await live(page)}`);
    assert.match(await live(page), /last name Michael/);
    expectNoErrors(w, "churn");
    await page.close();
  });

  it("the tour's card is mirrored, and follows the keyboard's arrows", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html#tour=4"), { label: "a11y-tour" });
    await waitLive(page, (t) => /^Tour, step 4 of \d+: The bias\. /.test(t), "step 4", "live-tour");
    log(`tour: ${await live(page, "live-tour")}`);
    await page.locator("#canvas").focus();
    await page.keyboard.press("ArrowRight");
    await waitLive(page, (t) => t.startsWith("Tour, step 5 of"), "step 5", "live-tour");
    await waitLive(page, (t) => t.startsWith("The AND gate:"), "the AND gate's text (step 5 is on it)");
    await page.keyboard.press("Escape");
    await waitLive(page, (t) => t === "", "nothing (the tour closed)", "live-tour");
    expectNoErrors(w, "tour");
    await page.close();
  });

  it("the trace's verdict and the worst pair", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html#view=trace"), { label: "a11y-trace" });
    await waitLive(page, (t) => t.startsWith("Causal trace:") && t.includes("In this model: restoring the MLP output brings p("),
      "the trace's verdict", "live-result", 60000);
    const t = await live(page);
    log(`trace: ${t}`);
    assert.match(t, /clean \d\.\d{3}, with noise on "[^"]+" \d\.\d{3}/);
    await page.evaluate(() => window.factlab.setState("view=worst-pair"));
    await waitLive(page, (t) => t.startsWith("The worst pair and the limits:") && t.includes("the worst pair is at"),
      "the worst pair", "live-result", 60000);
    const wp = await live(page);
    log(`worst pair: ${wp}`);
    assert.match(wp, /unit vectors in \d+ dimensions, step \d+ of \d+: the worst pair is at \d+\.\d\d° \(\|cos\| 0\.\d{3}\); the Welch limit/);
    expectNoErrors(w, "trace");
    await page.close();
  });

  it("Escape, then Tab leaves the lab; a plain Tab stays in it", async () => {
    await setup();
    const { page } = await openPage(S.context, S.url("index.html#view=lookup"), { label: "a11y-escape" });
    const active = () => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
    await page.locator("#canvas").focus();
    await page.keyboard.press("Tab");            // GLFW cancels the browser's Tab: the focus stays, ImGui moves
    await frames(page, 3);
    assert.equal(await active(), "canvas", "a plain Tab left the lab");
    assert.equal(await wantsText(page), 1, "Tab did not reach the name field");
    await page.keyboard.press("Escape");
    await frames(page, 3);
    await page.keyboard.press("Tab");            // this one is the browser's: the focus moves on
    await frames(page, 2);
    const after = await active();
    log(`after Escape, Tab: the focus is on ${after}`);
    assert.notEqual(after, "canvas", "Escape + Tab did not leave the lab");
    await page.close();
  });

  it("?transcript=1 shows the text as a strip under the canvas", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html?transcript=1#view=lookup&subject=Michael%20Jordan"), { label: "a11y-strip" });
    await waitLive(page, (t) => t.includes("basketball"), "basketball");
    await frames(page, 6);
    const box = await page.evaluate(() => {
      const l = document.getElementById("live").getBoundingClientRect(), c = document.getElementById("canvas").getBoundingClientRect();
      return { liveTop: l.top, liveH: l.height, canvasBottom: c.bottom, canvasH: c.height };
    });
    log(`strip: ${JSON.stringify(box)}`);
    assert.ok(box.liveH >= 16, "the strip is not shown");
    assert.ok(Math.abs(box.canvasBottom - box.liveTop) < 1.5, "the canvas does not end where the strip starts");
    await shoot(page, "a11y-text-strip");
    expectNoErrors(w, "strip");
    await page.close();
  });
});
