// look.test.mjs: colour, contrast, details and present mode (issue 13, docs/palette.md).
// - every text/background pair of both themes is at least 4.5:1 (WCAG AA),
//   computed here from the colours factlab.theme() reports, and the colours
//   ImGui really draws with are the palette's;
// - frames/s, kernel and memory are hidden by default and shown with details=1;
// - present=1 draws larger text, one panel, Next moves to the next panel.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, watch, openPage, frames, expectNoErrors, expectNotBlank, parseQuery, log } from "./harness.mjs";

// WCAG 2.1 relative luminance and contrast, written out again here (not taken from the page).
const lin = (v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
const over = (fg, bg) => { const a = (fg[3] ?? 255) / 255; return [0, 1, 2].map((i) => Math.round(fg[i] * a + bg[i] * (1 - a))); };
const ratio = (fg, bg) => { const a = lum(over(fg, bg)), b = lum(bg); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };

const look = (page) => page.evaluate(() => window.factlab.theme());
const fontPx = (page) => page.evaluate(() => window.Module._factlab_font_px());

describe("look", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session({ viewport: { width: 1280, height: 800 } });
    page = await S.context.newPage();
    w = watch(page, "look");
  });
  after(async () => { await setup.value(); if (S) await S.close(); });
  const open = async (hash, settle = 10) => {
    await page.goto("about:blank");
    await openPage(S.context, S.url(`index.html#${hash}`), { page, settle });
  };

  it("the contrast formula here flags the faults the issue reported", () => {
    assert.ok(ratio([153, 153, 153, 255], [255, 255, 255]) < 3, "ImGui's light grey on white");
    assert.ok(ratio([230, 159, 0, 255], [255, 255, 255]) < 2.5, "Okabe-Ito orange on white");
    assert.ok(Math.abs(ratio([0, 0, 0, 255], [255, 255, 255]) - 21) < 1e-9);
  });

  for (const theme of ["light", "dark"]) {
    it(`${theme} theme: every text is at least 4.5:1 against its background`, async () => {
      await setup();
      await open(`view=lookup&theme=${theme}`);
      const L = await look(page);
      assert.equal(L.dark, theme === "dark", "the page is not in the theme the link asks for");
      const pairs = L.pairs[theme];
      assert.ok(pairs.length > 40, `only ${pairs.length} pairs`);
      const low = pairs.map((p) => ({ ...p, r: ratio(p.fg, p.bg) })).filter((p) => p.r < 4.5);
      const worst = pairs.map((p) => ratio(p.fg, p.bg)).reduce((a, b) => Math.min(a, b), 99);
      log(`${theme}: ${pairs.length} pairs, lowest ${worst.toFixed(2)}:1`);
      assert.deepEqual(low.map((p) => `${p.what}: ${p.r.toFixed(2)}`), []);
      // What ImGui draws with now is the palette's: text and hints on the page's own surfaces.
      const st = L.style;
      for (const [fgName, fg] of [["text", st.text], ["text_disabled (instructions, hints)", st.text_disabled]])
        for (const [bgName, bg] of [["window", st.window_bg], ["panel", st.child_bg], ["popup", st.popup_bg], ["slider", st.frame_bg],
                                    ["button", over(st.button, st.child_bg)], ["hovered button", over(st.button_hovered, st.child_bg)]]) {
          if (fgName.startsWith("text_disabled") && bgName.includes("button")) continue;   // hints never sit on buttons
          const r = ratio(fg, bg);
          assert.ok(r >= 4.5, `${theme}: live ${fgName} on ${bgName}: ${r.toFixed(2)}:1`);
        }
      const soft = pairs.find((p) => p.what.startsWith("soft text") && p.what.endsWith("on panel"));
      assert.deepEqual(st.text_disabled.slice(0, 3), soft.fg.slice(0, 3), "ImGui's TextDisabled is not the palette's soft ink");
      await expectNotBlank(page, `look-contrast-${theme}`);
    });
  }

  it("details (frames/s, kernel, memory) are hidden by default and shown with details=1", async () => {
    await setup();
    await open("view=superposition", 20);
    let L = await look(page);
    assert.equal(L.details, false);
    assert.equal(L.details_drawn, 0, "a details line was drawn without details=1");
    await open("view=superposition&details=1", 20);
    L = await look(page);
    assert.equal(L.details, true);
    assert.ok(L.details_drawn >= 1, `details=1 drew ${L.details_drawn} details lines`);
    // The toggle lives in the link: setState turns it off again.
    await page.evaluate(() => window.factlab.setState("view=superposition&details=0"));
    await frames(page, 6);
    L = await look(page);
    assert.equal(L.details, false);
    assert.equal(L.details_drawn, 0);
  });

  it("present=1 on a phone: a button wider than its panel wraps, and its second line clicks", async () => {
    await setup();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await open("present=1&view=superposition&theme=light", 16);
      await expectNotBlank(page, "look-present-superposition-phone");
      // "Worst-pair loss, 10,000 × 100, 3,000 steps" is wider than the 390 px panel at
      // present mode's text: it wraps to two lines (y 265-305 here); the second is clicked.
      await page.mouse.click(60, 297);
      await frames(page, 8);
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      log(`after a click on the wrapped button's second line: sp_loss=${st.sp_loss} sp_steps=${st.sp_steps} sp_n=${st.sp_n}`);
      assert.equal(st.sp_loss, "exp");
      assert.equal(st.sp_steps, "3000");
      assert.equal(st.sp_n, "10000");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("present=1: larger text, one panel, Next goes to the next panel", async () => {
    await setup();
    await open("view=and-gate&subject=Michael%20Jordan");
    const normal = await fontPx(page);
    await open("present=1&view=and-gate&subject=Michael%20Jordan", 16);
    const L = await look(page);
    assert.equal(L.present, true);
    const big = await fontPx(page);
    log(`font: ${normal} px normally, ${big} px in present mode`);
    assert.ok(big >= normal * 1.4, `present text ${big} px is not larger than ${normal} px`);
    await expectNotBlank(page, "look-present-and-gate");
    await page.mouse.click(640, 500);   // the canvas takes the keyboard
    await page.keyboard.press("ArrowRight");
    await frames(page, 8);
    const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
    const views = (await page.evaluate(() => window.factlab.views())).map((v) => (typeof v === "string" ? v : v.id));
    assert.equal(st.view, views[views.indexOf("and-gate") + 1], `ArrowRight went to ${st.view}`);
    assert.equal(st.present, "1");
    await expectNotBlank(page, "look-present-next");
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "look"); });
});
