// embed-example.test.mjs: web/embed-example.html (the blog-post example) loads,
// has at least three factlab iframes, each one becomes ready and draws a
// non-blank view, and nothing logs an error.
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

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "embed-example.html"); });
});
