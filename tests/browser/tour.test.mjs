// tour.test.mjs: the tour's steps start from a state that makes their task
// possible and matches what they say (issue 10, "Every sentence true"):
//   - step 10 quotes the 10,000 × 100 bounds (84.29°, 81.95°), so it opens the
//     worst-pair view at 10,000 × 100, not at the lab's default 2,000 × 100;
//   - step 12 asks the reader to press Apply edit, so the edit is not already on.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, watch, openPage, expectNoErrors, expectNotBlank, parseQuery, log } from "./harness.mjs";

describe("tour steps", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session({ viewport: { width: 1280, height: 800 } });
    page = await S.context.newPage();
    w = watch(page, "tour");
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  async function openStep(n, extra = "") {
    await page.goto("about:blank");
    await openPage(S.context, S.url(`index.html#tour=${n}${extra}`), { page, settle: 4 });
    const r = await page.evaluate(() => window.factlab.message({ type: "factlab:get" }));
    return { view: r.view, st: parseQuery(r.state) };
  }

  it("step 10 (the 89°-91° claim) opens the worst pair at 10,000 × 100", async () => {
    await setup();
    const { view, st } = await openStep(10);
    assert.equal(view, "worst-pair");
    assert.equal(st.sp_n, "10000", `step 10 opens at N = ${st.sp_n}`);
    assert.equal(st.sp_d, "100", `step 10 opens at d = ${st.sp_d}`);
    // Arriving by Next from step 9 (the default 2,000 × 100 run) sets it too.
    await openStep(9);
    await page.evaluate(() => window.factlab.message({ type: "factlab:tour", step: 10 }));
    const r = await page.evaluate(() => window.factlab.message({ type: "factlab:get" }));
    const s2 = parseQuery(r.state);
    assert.equal(s2.sp_n, "10000");
    await expectNotBlank(page, "tour-10");
  });

  it("step 12 asks for the edit, so it opens with the edit not applied", async () => {
    await setup();
    const { view, st } = await openStep(12);
    assert.equal(view, "edit");
    assert.equal(st.ed_subject, "Michael Jordan");
    assert.ok(!("ed_on" in st), `step 12 opens with ed_on=${st.ed_on}`);
    // Arriving from a state where an edit was already applied clears it.
    await openStep(11, "&ed_on=1");
    await page.evaluate(() => window.factlab.message({ type: "factlab:tour", step: 12 }));
    const r = await page.evaluate(() => window.factlab.message({ type: "factlab:get" }));
    assert.ok(!("ed_on" in parseQuery(r.state)), `after Next: ${r.state}`);
    log(`step 12 state: ${r.state}`);
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "tour"); });
});
