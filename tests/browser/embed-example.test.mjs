// embed-example.test.mjs: web/embed-example.html (the blog-post example) loads,
// has at least three factlab iframes, each one becomes ready and draws a
// non-blank view, and nothing logs an error. Its figures fit their content
// (factlab:size) without scrolling inside; the scroll-driven section switches a
// step when the step's top passes a third of the window, and the figure beside
// it then shows that step's state; the second article embeds the tracing views.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { once, session, watch, waitReady, frames, expectNoErrors, shoot, site, log, READY_TIMEOUT } from "./harness.mjs";
import { blankReason, describeStats } from "./png.mjs";

describe("embed-example.html", () => {
  let S, page, w;
  const setup = once(async () => {
    assert.ok(fs.existsSync(path.join(site(), "embed-example.html")), "embed-example.html is not in the site");
    S = await session({ viewport: { width: 1100, height: 900 } });
    page = await S.context.newPage();
    w = watch(page, "embed-example");
    await page.goto(S.url("embed-example.html"), { waitUntil: "load" });
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("has at least three factlab iframes, each ready and non-blank", async () => {
    await setup();
    const frames_ = page.locator("iframe");
    const n = await frames_.count();
    assert.ok(n >= 3, `only ${n} iframes`);
    for (let i = 0; i < n; ++i) {
      const el = frames_.nth(i);
      const src = await el.getAttribute("src");
      if (!/index\.html|embed=/.test(src || "")) { log(`iframe ${i}: ${src} (not factlab, skipped)`); continue; }
      await el.scrollIntoViewIfNeeded();          // loading="lazy" frames load when near the viewport
      const handle = await el.elementHandle();
      let frame = null;
      for (let k = 0; k < 100 && !(frame = await handle.contentFrame()); ++k) await new Promise((r) => setTimeout(r, 100));
      assert.ok(frame, `iframe ${i} (${src}) has no frame`);
      await frame.waitForFunction(() => window.factlab, null, { timeout: 20000 });
      await waitReady(frame, READY_TIMEOUT);
      await frames(frame, 6);
      const s = await shoot(el, `embed-example-frame-${i}`);
      log(`iframe ${i} ${src}: ${describeStats(s.stats)}`);
      assert.equal(blankReason(s.stats), null, `iframe ${i} (${src}) looks blank: ${blankReason(s.stats)}`);
    }
    await shoot(page, "embed-example-page", { fullPage: true });
  });

  it("each figure is fitted to the height factlab reports: nothing scrolls inside it", async () => {
    await setup();
    const frames_ = page.locator("iframe");
    const n = await frames_.count();
    let fitted = 0;
    for (let i = 0; i < n; ++i) {
      const el = frames_.nth(i);
      if ((await el.getAttribute("data-fit")) === "no") continue;
      await el.scrollIntoViewIfNeeded();
      const frame = await (await el.elementHandle()).contentFrame();
      await waitReady(frame, READY_TIMEOUT);
      await frames(frame, 8);
      const fig = await frame.evaluate(() => window.factlab.figure());
      const box = await el.boundingBox();
      const dom = await frame.evaluate(() => ({ sh: document.documentElement.scrollHeight, ch: document.documentElement.clientHeight }));
      log(`figure ${i} (${await el.getAttribute("src")}): ${box.width} x ${box.height}, figure ${JSON.stringify(fig)}`);
      assert.ok(fig, `iframe ${i} is not a figure`);
      assert.ok(Math.abs(box.height - Math.ceil(fig.height)) <= 1, `iframe ${i} is ${box.height} px tall, its figure ${fig.height}`);
      assert.equal(fig.scrollMax, 0, `iframe ${i} scrolls inside (${fig.scrollMax} px)`);
      assert.equal(fig.clipped, 0, `iframe ${i}: ${fig.clipped} clipped list(s)`);
      assert.ok(dom.sh <= dom.ch, `iframe ${i}: its document scrolls`);
      ++fitted;
    }
    assert.ok(fitted >= 6, `only ${fitted} fitted figures`);
  });

  it("the scroll-driven steps switch a third of the way down, and the figure follows", async () => {
    await setup();
    const el = page.locator("#scrolly-lab");
    await el.scrollIntoViewIfNeeded();
    const frame = await (await el.elementHandle()).contentFrame();
    await waitReady(frame, READY_TIMEOUT);
    const steps = page.locator(".scrolly .step");
    const count = await steps.count();
    const vh = await page.evaluate(() => innerHeight);
    for (const k of [0, 1, 2]) {
      // Put the step's top just above a third of the window: it is the active one.
      await page.evaluate(([k, frac]) => {
        const s = document.querySelectorAll(".scrolly .step")[k];
        window.scrollBy(0, s.getBoundingClientRect().top - innerHeight * frac);
      }, [k, 0.3]);
      await page.waitForFunction((k) => document.querySelectorAll(".scrolly .step")[k].classList.contains("active"), k, { timeout: 5000 });
      const msg = JSON.parse(await steps.nth(k).getAttribute("data-msg"));
      await frame.waitForFunction((subject) => new URLSearchParams(window.factlab.getState()).get("subject") === subject,
        msg.state.subject, { timeout: 10000 });
      const geo = await page.evaluate((k) => {
        const s = document.querySelectorAll(".scrolly .step")[k].getBoundingClientRect();
        const f = document.getElementById("scrolly-lab").getBoundingClientRect();
        return { stepTop: s.top, stepBottom: s.bottom, figTop: f.top, figBottom: f.bottom };
      }, k);
      log(`step ${k}: top at ${(geo.stepTop / vh * 100).toFixed(0)}% of the window, figure ${geo.figTop.toFixed(0)}-${geo.figBottom.toFixed(0)} px, subject ${msg.state.subject}`);
      // The step is beside the figure when the figure shows it.
      assert.ok(geo.stepTop < geo.figBottom && geo.stepBottom > geo.figTop, `step ${k} is not beside the figure`);
      // Still above the line the next step has not reached.
      if (k + 1 < count) assert.equal(await steps.nth(k + 1).evaluate((e) => e.classList.contains("active")), false);
    }
    // The gaps are short: the next step is already on screen while one is active.
    const gap = await page.evaluate(() => {
      const s = document.querySelectorAll(".scrolly .step");
      return s[1].getBoundingClientRect().top - s[0].getBoundingClientRect().bottom;
    });
    log(`gap between steps: ${gap.toFixed(0)} px of a ${vh} px window`);
    assert.ok(gap < vh * 0.35, `steps are ${gap} px apart in a ${vh} px window`);
  });

  it("says the AND gate's axes are first name Michael and last name Jordan; the second article embeds tracing views", async () => {
    await setup();
    const text = await page.evaluate(() => document.body.innerText);
    assert.ok(/first name Michael/.test(text) && /last name Jordan/.test(text), "the axes are not named by role");
    const srcs = await page.locator("iframe").evaluateAll((els) => els.map((e) => e.getAttribute("src")));
    for (const v of ["prompt", "trace", "lens"]) assert.ok(srcs.some((s) => s.includes(`view=${v}`)), `no view=${v} embed`);
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "embed-example.html"); });
});
