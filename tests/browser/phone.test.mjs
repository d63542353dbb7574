// phone.test.mjs: a phone-sized viewport (390x844 CSS px, devicePixelRatio 3,
// touch) is usable: nothing overflows sideways, the canvas is sharp (backing
// store = CSS size x 3), text is big enough, a tap on a control works, and
// there are no console errors; a tour step scrolls its own panel into view.
// Screenshots for a person to judge readability.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, expectNotBlank, expectNoErrors, frames, parseQuery, shoot, log } from "./harness.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true,
  userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36" };

async function layout(page) {
  return page.evaluate(() => {
    const c = document.getElementById("canvas");
    const r = c.getBoundingClientRect();
    const f = window.Module && Module._factlab_font_px;
    return {
      innerWidth, innerHeight, dpr: devicePixelRatio,
      scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth,
      css: [r.left, r.top, r.width, r.height], backing: [c.width, c.height],
      fontCssPx: f ? f() / devicePixelRatio : null,
    };
  });
}

describe("phone viewport", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session(PHONE);
    ({ page, w } = await openPage(S.context, S.url("index.html#view=lookup&subject=Michael%20Jordan"), { label: "phone" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("fits the width (no horizontal overflow) and is sharp at dpr 3", async () => {
    await setup();
    const l = await layout(page);
    log(`phone layout: ${JSON.stringify(l)}`);
    assert.equal(l.dpr, 3);
    assert.ok(l.scrollWidth <= l.innerWidth && l.bodyScrollWidth <= l.innerWidth,
      `horizontal overflow: scrollWidth ${l.scrollWidth} / body ${l.bodyScrollWidth} > ${l.innerWidth}`);
    assert.ok(l.css[0] >= 0 && l.css[0] + l.css[2] <= l.innerWidth + 0.5, `canvas sticks out: ${l.css}`);
    assert.ok(Math.abs(l.backing[0] - Math.round(l.css[2] * 3)) <= 3 && Math.abs(l.backing[1] - Math.round(l.css[3] * 3)) <= 3,
      `canvas backing store ${l.backing} is not CSS size ${l.css.slice(2)} x 3: text would be blurry`);
    if (l.fontCssPx !== null) assert.ok(l.fontCssPx >= 12, `UI font is ${l.fontCssPx} CSS px: too small to read on a phone`);
    else log("phone: Module._factlab_font_px is not exported; font size not checked");
  });

  it("draws a non-blank lab (screenshot for readability)", async () => {
    await setup();
    await expectNotBlank(page, "phone-lookup");       // device pixels: judge the text here
  });

  it("a tap on a control works", async () => {
    await setup();
    // The top bar's first control (the lab switcher or menu) is at the top left;
    // a tap there must change what ImGui shows or the state. Then taps down the
    // page (view panels) must move the focus ("view") to the tapped view.
    const before = await page.evaluate(() => window.factlab.getState());
    const shot0 = await shoot(page.locator("#canvas"), "phone-before-tap", { scale: "css" });
    const taps = [];
    let changed = false;
    for (const y of [0.35, 0.55, 0.75, 0.9]) {
      await page.touchscreen.tap(195, Math.round(844 * y));
      await frames(page, 6);
      const now = await page.evaluate(() => window.factlab.getState());
      taps.push({ y, view: parseQuery(now).view });
      if (now !== before) { changed = true; break; }
    }
    const shot1 = await shoot(page.locator("#canvas"), "phone-after-tap", { scale: "css" });
    const pixelsChanged = !shot0.img.data.equals(shot1.img.data);
    log(`phone taps: ${JSON.stringify(taps)}; state changed: ${changed}; pixels changed: ${pixelsChanged}`);
    assert.ok(changed, `taps did not change the state (before '${before}'): touch input does not reach ImGui`);
  });

  it("a swipe scrolls the lab (no page scroll, no overflow)", async () => {
    await setup();
    const cdp = await page.context().newCDPSession(page);
    const shot0 = await shoot(page.locator("#canvas"), "phone-before-swipe", { scale: "css" });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: 200, y: 700 }] });
    for (let k = 1; k <= 6; ++k) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: 200, y: 700 - 60 * k }] });
      await frames(page, 1);
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await frames(page, 6);
    const shot1 = await shoot(page.locator("#canvas"), "phone-after-swipe", { scale: "css" });
    const l = await layout(page);
    const scrolled = await page.evaluate(() => [scrollX, scrollY]);
    assert.deepEqual(scrolled, [0, 0], "the page itself scrolled");
    assert.ok(l.scrollWidth <= l.innerWidth, "overflow after the swipe");
    const moved = !shot0.img.data.equals(shot1.img.data);
    log(`phone swipe: canvas pixels changed: ${moved}`);
    assert.ok(moved, "a one-finger swipe over the lab changed nothing on screen: touch scrolling does not reach ImGui");
  });

  it("tour steps 4 and 5 scroll the AND gate into view, the card under it", async () => {
    await setup();
    for (const n of [4, 5]) {
      await page.evaluate((n) => window.factlab.message({ type: "factlab:tour", step: n }), n);
      await frames(page, 16);
      const t = await page.evaluate(() => window.factlab.tour());
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      log(`phone tour step ${n}: view ${st.view}, ${t.placement}, card ${t.card}, panel ${t.panel} of ${t.panel_full}`);
      assert.equal(st.view, "and-gate");
      assert.equal(t.placement, "below");
      assert.ok(Math.abs(t.panel[1] - t.panel_full[1]) <= 1, `step ${n}: the AND gate's top is not on screen`);
      assert.ok(t.card[1] >= t.panel[1] + t.panel[3], `step ${n}: the card is not under the panel`);
      await expectNotBlank(page, `phone-tour-${n}`);
    }
    await page.evaluate(() => window.factlab.message({ type: "factlab:tour", step: 0 }));
    await frames(page, 6);
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "phone"); });
});
