// large-facts.test.mjs: a large but valid facts file (20,000 subjects, within
// the parser's limits) loads, and then EVERY registered view still draws: the
// page's frames keep coming (factlab.frameCount() grows), the canvas is not
// blank, nothing is thrown. Views that cannot build all they would for this
// many subjects say so on screen instead of freezing the page (issue 10, item 3).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, expectNotBlank, expectNoErrors, frames, log } from "./harness.mjs";

const N = 20000;
// 200 first names and 20,000 last names: 20,000 two-token subjects (20,200
// tokens, so neuron x token matrices are 20,000 x 20,200), two relations.
function bigCsv() {
  const rows = ["subject,relation,object"];
  for (let i = 0; i < N; ++i) {
    const first = `F${(i % 200).toString(36)}a`, last = `L${i.toString(36)}b`;
    rows.push(`${first} ${last},sport,sport${i % 12}`);
    rows.push(`${first} ${last},team,team${i % 97}`);
  }
  return rows.join("\n") + "\n";
}

// The C++ frame counter must move: a thrown main loop stops it while the JS API
// still answers. An idle page draws nothing (issue 12), so each poll wakes it the
// way a reader does, with a pointer move over the top bar.
async function drawsFrames(page, what, n = 3, timeout = 120000) {
  const f0 = await page.evaluate(() => window.factlab.frameCount());
  const t0 = Date.now();
  let f1 = f0, k = 0;
  while (f1 < f0 + n && Date.now() - t0 < timeout) {
    await page.mouse.move(4 + (k++ % 8), 4);
    await frames(page, 2);
    f1 = await page.evaluate(() => window.factlab.frameCount());
  }
  assert.ok(f1 >= f0 + n, `${what}: the page drew ${f1 - f0} frame(s) in ${Date.now() - t0} ms (frozen?)`);
  return Date.now() - t0;
}

describe("a 20,000-subject facts file", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session();
    ({ page, w } = await openPage(S.context, S.url("index.html#view=lookup"), { label: "large-facts" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("loads through factlab.loadFacts", async () => {
    await setup();
    const text = bigCsv();
    const r = await page.evaluate((t) => window.factlab.loadFacts("big.csv", t), text);
    assert.equal(r.ok, true, `refused: ${JSON.stringify(r).slice(0, 400)}`);
    assert.equal(r.subjects, N);
    await drawsFrames(page, "after loading");
    const a = await page.evaluate(() => window.factlab.lookup("F0a L0b"));
    assert.equal(a.answers?.sport?.object, "sport0", JSON.stringify(a).slice(0, 300));
  });

  it("every registered view draws, one after another", async () => {
    await setup();
    const views = (await page.evaluate(() => window.factlab.views())).map((v) => v.id);
    assert.ok(views.length >= 10, `only ${views.length} views`);
    const times = [];
    for (const id of views) {
      const warn = await page.evaluate((id) => window.factlab.setState("view=" + id), id);
      assert.deepEqual(warn, [], `${id}: setState warned ${JSON.stringify(warn)}`);
      const ms = await drawsFrames(page, id, 4);
      await frames(page, 4);
      times.push(`${id} ${ms} ms`);
      assert.deepEqual(w.errors, [], `${id}: errors:\n  ${w.errors.join("\n  ")}`);
      await expectNotBlank(page, `large-facts-${id}`);
      const st = await page.evaluate(() => window.factlab.getState());
      assert.match(st, new RegExp(`(^|&)view=${id}(&|$)`), `${id}: state is ${st}`);
    }
    log(`20,000 subjects, first frames per view: ${times.join(", ")}`);
  });

  it("the page is still alive and answers", async () => {
    await setup();
    await drawsFrames(page, "at the end");
    const a = await page.evaluate(() => window.factlab.lookup("F1a L1b"));
    assert.equal(a.answers?.team?.object, "team1");
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "large facts"); });
});
