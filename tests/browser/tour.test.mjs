// tour.test.mjs: the tour shows what it says (issue 13) and goes from the cartoon
// to the trained transformer (issue 14). At 1280 x 800 and at a phone's 390 x 844,
// every step is walked:
//   - its card never intersects its panel (factlab.tour(): the rectangles the
//     page drew this frame), the panel is on screen with its top showing, and
//     the card is inside the canvas;
//   - the card holds at most 40 words (before and after the reveal) and ends
//     with one thing to do, or asks first (buttons) and reveals after a click;
//   - a screenshot of every step, checked for non-blank.
// Steps start from a state that makes their task possible (the edit not
// applied, the bias not dragged, the 10,000 x 100 run where its bounds are
// quoted), and the transformer steps' numbers are the page's own factlab.gpt.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, watch, openPage, frames, expectNoErrors, expectNotBlank, parseQuery, log } from "./harness.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, hasTouch: true, isMobile: true };
const SIZES = [["1280x800", { viewport: { width: 1280, height: 800 } }], ["390x844", PHONE]];
const MAX_WORDS = 40;

const words = (s) => s.split(/\s+/).filter(Boolean).length;
const intersects = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

async function tourNow(page) { return page.evaluate(() => window.factlab.tour()); }
async function stateNow(page) {
  const r = await page.evaluate(() => window.factlab.message({ type: "factlab:get" }));
  return { view: r.view, st: parseQuery(r.state) };
}
// Frames until the card and the panel stop moving (the card is placed with the last frame's height).
async function settled(page) {
  let last = "";
  for (let k = 0; k < 12; ++k) {
    await frames(page, 3);
    const t = await tourNow(page);
    const key = JSON.stringify([t.card, t.panel, t.text]);
    if (key === last && t.card && t.panel) return t;
    last = key;
  }
  return tourNow(page);
}
// A card button's centre in CSS pixels (ImGui pixels scaled by the canvas's CSS size).
async function clickButton(page, t, label) {
  const b = t.buttons.find((x) => x.label === label);
  assert.ok(b, `step ${t.step}: no button "${label}" on the card (${t.buttons.map((x) => x.label)})`);
  const box = await page.evaluate(() => { const r = document.getElementById("canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
  const sx = box[2] / t.display[0], sy = box[3] / t.display[1];
  const x = box[0] + (b.rect[0] + b.rect[2] / 2) * sx, y = box[1] + (b.rect[1] + b.rect[3] / 2) * sy;
  if (PHONE_MODE.has(page)) await page.touchscreen.tap(x, y);
  else await page.mouse.click(x, y);
}
const PHONE_MODE = new WeakSet();

function checkLayout(t, where) {
  assert.ok(t.card, `${where}: no card drawn`);
  assert.ok(t.panel, `${where}: no panel noted for the card`);
  const [W, H] = t.display;
  const c = t.card, p = t.panel, f = t.panel_full;
  assert.ok(!intersects(c, p), `${where}: the card ${JSON.stringify(c)} covers its panel ${JSON.stringify(p)}`);
  assert.ok(c[0] >= -0.5 && c[1] >= -0.5 && c[0] + c[2] <= W + 0.5 && c[1] + c[3] <= H + 0.5, `${where}: the card ${c} leaves the canvas ${W}x${H}`);
  assert.ok(p[0] >= -0.5 && p[1] >= -0.5 && p[0] + p[2] <= W + 0.5 && p[1] + p[3] <= H + 0.5, `${where}: the panel ${p} leaves the canvas`);
  // On screen: its top shows, and at least a third of the screen's height of it (or all of it).
  assert.ok(Math.abs(f[1] - p[1]) <= 1, `${where}: the panel's top is scrolled away (${f[1]} shown from ${p[1]})`);
  assert.ok(p[3] >= Math.min(f[3], H / 3) - 1, `${where}: only ${p[3]} of the panel's ${f[3]} pixels show`);
}

for (const [label, options] of SIZES) {
  describe(`tour at ${label}`, () => {
    let S, page, w, steps = 0;
    const setup = once(async () => {
      S = await session(options);
      page = await S.context.newPage();
      if (label !== "1280x800") PHONE_MODE.add(page);
      w = watch(page, `tour-${label}`);
      await openPage(S.context, S.url("index.html#tour=1"), { page, settle: 6 });
      steps = (await tourNow(page)).steps;
    });
    after(async () => { await setup.value(); if (S) await S.close(); });

    it("every step: the card beside or under its panel, never over it; at most 40 words; one thing to do", async () => {
      await setup();
      assert.ok(steps >= 16, `the tour has ${steps} steps: the transformer steps are missing`);
      const rows = [];
      for (let n = 1; n <= steps; ++n) {
        await page.evaluate((n) => window.factlab.message({ type: "factlab:tour", step: n }), n);
        const t = await settled(page);
        const where = `${label} step ${n} "${t.title}"`;
        assert.equal(t.step, n);
        checkLayout(t, where);
        const { view, st } = await stateNow(page);
        const linkView = parseQuery(decodeURIComponent(await page.evaluate(() => location.hash.slice(1)))).view;
        assert.equal(view, linkView, `${where}: the view shown is not the step's`);
        assert.ok(words(t.text) <= MAX_WORDS, `${where}: ${words(t.text)} words: "${t.text}"`);
        const asks = t.choices.length > 0;
        // Ends with the thing to do: a task (or a question to check on the panel), or the question its buttons answer.
        if (!asks) assert.match(t.body, /[.?]$/, `${where}: it must end with a thing to do`);
        else assert.match(t.body, /\?$/, `${where}: the choices answer a question that ends the card`);
        await expectNotBlank(page, `tour-${label}-step-${String(n).padStart(2, "0")}`);
        if (asks) {
          // Predict, then reveal: the "why?" waits for the answer; the card says why after a click.
          assert.ok(!t.buttons.some((b) => b.label === "why?"), `${where}: "why?" before the reader answered`);
          const wrong = t.choices.findIndex((_, i) => i !== t.answer);
          await clickButton(page, t, t.choices[wrong]);
          const r = await settled(page);
          assert.equal(r.answered, wrong, `${where}: the click on "${t.choices[wrong]}" did not answer`);
          assert.ok(r.text.length > t.text.length, `${where}: nothing revealed`);
          assert.ok(words(r.text) <= MAX_WORDS, `${where} revealed: ${words(r.text)} words: "${r.text}"`);
          assert.ok(r.buttons.some((b) => b.label === "why?"), `${where}: no "why?" after the reveal`);
          checkLayout(r, `${where} (revealed)`);
          await expectNotBlank(page, `tour-${label}-step-${String(n).padStart(2, "0")}-revealed`);
        }
        rows.push(`${n} ${view} ${t.placement} card ${t.card.map(Math.round)} panel ${t.panel.map(Math.round)} words ${words(t.text)}${asks ? " asks" : ""}`);
      }
      log(`tour at ${label}:\n  ${rows.join("\n  ")}`);
    });

    it("the Next button moves on and the card follows its new panel", async () => {
      await setup();
      await page.evaluate(() => window.factlab.message({ type: "factlab:tour", step: 3 }));
      const t = await settled(page);
      await clickButton(page, t, "Next \u2192");
      const t4 = await settled(page);
      assert.equal(t4.step, 4);
      assert.equal((await stateNow(page)).view, "and-gate");
      checkLayout(t4, `${label} after Next`);
    });

    it("logged no console errors", async () => { await setup(); expectNoErrors(w, `tour at ${label}`); });
  });
}

describe("tour steps start where their task is possible", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session({ viewport: { width: 1280, height: 800 } });
    page = await S.context.newPage();
    w = watch(page, "tour-states");
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  async function openStep(n, extra = "") {
    await page.goto("about:blank");
    await openPage(S.context, S.url(`index.html#tour=${n}${extra}`), { page, settle: 4 });
    return stateNow(page);
  }
  const goStep = async (n) => { await page.evaluate((n) => window.factlab.message({ type: "factlab:tour", step: n }), n); await frames(page, 4); return stateNow(page); };

  it("step 4 asks to drag the bias: it opens at the compiled bias, also after a drag", async () => {
    await setup();
    const { view, st } = await openStep(4);
    assert.equal(view, "and-gate");
    assert.ok(!("gate_bias" in st));
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=Michael%20Jordan&gate_bias=-1.5&tour=3"));
    const s2 = await goStep(4);
    assert.ok(!("gate_bias" in s2.st), `after a drag: ${JSON.stringify(s2.st)}`);
  });

  it("step 7 asks about Michael Phelps: it opens on Michael Jordan, the answer then shows Phelps", async () => {
    await setup();
    const { st } = await openStep(7, "&subject=Michael%20Phelps");
    assert.equal(st.subject, "Michael Phelps", "a permalink carrying the reader's own subject keeps it");
    const s2 = await goStep(6).then(() => goStep(7));
    assert.equal(s2.st.subject, "Michael Jordan");
    const sport = await page.evaluate(() => window.factlab.lookup("Michael Phelps").answers.sport);
    assert.equal(sport.object, "swimming");
    assert.equal(Math.round(sport.probability * 100), 98, "the card says 98%");
  });

  it("step 9 says 2,000 x 100 and opens at it, also coming back from step 10's 10,000 x 100", async () => {
    await setup();
    const { st } = await openStep(10);
    assert.equal(st.sp_n, "10000");
    assert.equal(st.sp_d, "100");
    const s9 = await goStep(9);
    assert.equal(s9.view, "superposition");
    assert.equal(s9.st.sp_n, "2000");
  });

  it("step 12 asks for the edit, so it opens with the edit not applied", async () => {
    await setup();
    const { view, st } = await openStep(12);
    assert.equal(view, "edit");
    assert.equal(st.ed_subject, "Michael Jordan");
    assert.ok(!("ed_on" in st), `step 12 opens with ed_on=${st.ed_on}`);
    await openStep(11, "&ed_on=1");
    const s2 = await goStep(12);
    assert.ok(!("ed_on" in s2.st), `after Next: ${JSON.stringify(s2.st)}`);
  });

  it("the transformer steps quote the page's own model (factlab.gpt)", async () => {
    await setup();
    await openStep(13);
    const card = async (n) => { await goStep(n); await frames(page, 4); return page.evaluate(() => window.factlab.tour()); };
    const pct = (p) => `${(100 * p).toFixed(1)}%`;
    const r2 = (p) => p.toFixed(2);
    // 13: the trained phrasing, then the held-out one.
    const t13 = await card(13);
    assert.equal((await stateNow(page)).st.tf_prompt, "Michael Jordan plays the sport of", "step 13 opens on the trained phrasing");
    const trained = await page.evaluate(() => window.factlab.gpt.predict("Michael Jordan plays the sport of"));
    assert.equal(trained.top[0].token, "basketball");
    assert.ok(t13.body.includes(`basketball, ${pct(trained.top[0].probability)}`), `step 13: ${pct(trained.top[0].probability)} not in "${t13.body}"`);
    const held = await page.evaluate(() => window.factlab.gpt.predict("Michael Jordan is known for playing"));
    assert.ok(held.top[0].token !== "basketball");
    const reveal13 = `"${held.top[0].token}", ${Math.round(100 * held.top[0].probability)}%`;
    // 14: the lens at the last position.
    const t14 = await card(14);
    const lens = await page.evaluate(() => window.factlab.gpt.lens("Michael Jordan plays the sport of"));
    assert.equal(lens.layers[0].answer_rank, 0, "basketball is the top word after layer 0");
    const lensPct = pct(lens.layers[0].answer_probability);
    // 15: the trace of the team prompt.
    const t15 = await card(15);
    const tr = await page.evaluate(() => window.factlab.gpt.trace("Michael Jordan played for the"));
    assert.equal(tr.answer, "Chicago");
    assert.ok(t15.body.includes(`from ${r2(tr.p_clean)} to ${r2(tr.p_corrupted)}`), `step 15: ${r2(tr.p_clean)}, ${r2(tr.p_corrupted)} vs "${t15.body}"`);
    const last = tr.tokens.length - 1, jordan = tr.subject_range[1] - 1;
    assert.equal(tr.tokens[jordan], "Jordan");
    const reveal15 = [r2(tr.hidden[last][0]), r2(Math.max(...tr.hidden[jordan]))];
    // The reveals, read from the cards once answered.
    const answerOf = async (n) => {
      const t = await card(n);
      const box = await page.evaluate(() => { const r = document.getElementById("canvas").getBoundingClientRect(); return [r.left, r.top]; });
      const b = t.buttons.find((x) => x.label === t.choices[t.answer]);
      await page.mouse.click(box[0] + b.rect[0] + b.rect[2] / 2, box[1] + b.rect[1] + b.rect[3] / 2);
      await frames(page, 4);
      return page.evaluate(() => window.factlab.tour());
    };
    const a13 = await answerOf(13);
    assert.ok(a13.text.includes(reveal13), `step 13 reveal: want ${reveal13} in "${a13.text}"`);
    assert.equal((await stateNow(page)).st.tf_prompt, "Michael Jordan is known for playing", "the reveal shows the held-out phrasing");
    const a14 = await answerOf(14);
    assert.ok(a14.text.includes(lensPct), `step 14 reveal: want ${lensPct} in "${a14.text}"`);
    const a15 = await answerOf(15);
    assert.ok(a15.text.includes(`gives ${reveal15[0]}`) && a15.text.includes(`gives ${reveal15[1]}`), `step 15 reveal: want ${reveal15} in "${a15.text}"`);
    log(`transformer steps: 13 ${pct(trained.top[0].probability)}, held out ${reveal13}; 14 layer 0 ${lensPct}; 15 ${r2(tr.p_clean)} -> ${r2(tr.p_corrupted)}, restore at "the" ${reveal15[0]}, at "Jordan" ${reveal15[1]}`);
    void t14;
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "tour states"); });
});
