// tf-edit.test.mjs: the transformer lab's edit view (view=tf-edit, issue 14): renders (not
// blank) and restores from its link (tf_edit_* keys, through a real reload), embeds alone,
// answers factlab:set, fits a phone; the edit changes the lab's answer (the prompt box and
// factlab.gpt.predict read the same model) and reset (the button's state: no tf_edit_method)
// restores the trained model's answer exactly; bad requests get a message and leave the
// model as it was; factlab.gpt.edit gives the CLI's JSON (`factlab-cli gpt edit --json`) exactly.
// Prints how long an edit takes in the page, sliced and whole (measured, never asserted).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT, once, session, openPage, reloadPage, expectNotBlank, expectNoErrors, parseQuery, log, frames } from "./harness.mjs";

const PROMPT = "Michael Jordan plays the sport of";
const EDIT = { tf_edit_subject: "Michael Jordan", tf_edit_relation: "sport", tf_edit_object: "baseball" };
const CLI = path.resolve(ROOT, process.env.FACTLAB_CLI || "build/native-release/factlab-cli");
const hashOf = (o) => Object.entries(o).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");

function cli(args) {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: cmake --build --preset native-release --target factlab-cli (or set FACTLAB_CLI)`);
  return JSON.parse(execFileSync(CLI, ["gpt", ...args, "--json"], { encoding: "utf8" }));
}

// The lab's greedy answer to the prompt (the model the prompt box shows).
const greedy = (page) => page.evaluate((p) => window.factlab.gpt.predict(p).greedy, PROMPT);

// Waits (drawing frames) until the lab's answer starts with `word`; returns the wall time.
async function waitAnswer(page, word, timeout = 120000) {
  const t0 = Date.now();
  for (;;) {
    const g = await greedy(page);
    if (g.startsWith(word)) return Date.now() - t0;
    assert.ok(Date.now() - t0 < timeout, `the answer is still "${g}" after ${timeout} ms, not ${word}`);
    await frames(page, 5);
  }
}

// Numbers within a relative tolerance, everything else equal.
function close(a, b, where, tol, worst) {
  if (typeof a === "number" && typeof b === "number") {
    const d = Math.abs(a - b) / Math.max(1e-6, Math.abs(b));
    worst.d = Math.max(worst.d, Math.abs(a - b));
    assert.ok(d <= tol || Math.abs(a - b) < 1e-6, `${where}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${where}: lengths`);
    a.forEach((x, i) => close(x, b[i], `${where}[${i}]`, tol, worst));
  } else if (a && b && typeof a === "object") {
    assert.deepEqual(Object.keys(a), Object.keys(b), `${where}: keys`);
    for (const k of Object.keys(a)) close(a[k], b[k], `${where}.${k}`, tol, worst);
  } else {
    assert.equal(a, b, where);
  }
}

describe("transformer lab: the edit view (tf-edit)", () => {
  let S;
  const setup = once(async () => { S = await session(); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("renders, restores from its link, and the edit it names becomes the lab's model", async () => {
    await setup();
    const hash = `view=tf-edit&${hashOf({ ...EDIT, tf_edit_method: "rome", tf_prompt: PROMPT })}`;
    const { page, w } = await openPage(S.context, S.url(`index.html#${hash}`), { label: "tf-edit" });
    try {
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      assert.equal(st.view, "tf-edit");
      assert.equal(st.tf_edit_subject, "Michael Jordan");
      assert.equal(st.tf_edit_object, "baseball");
      assert.equal(st.tf_edit_method, "rome");
      const ms = await waitAnswer(page, "baseball");
      log(`TF-EDIT in the page: ROME + fine-tune, sliced per frame, applied after ${ms} ms (wall, full page, key covariance included)`);
      await frames(page, 5);
      await expectNotBlank(page, "tf-edit-full");
      const shared = await page.evaluate(() => window.factlab.getState());
      await page.evaluate((h) => { location.hash = h; }, shared);
      await reloadPage(page);
      assert.equal(await page.evaluate(() => window.factlab.getState()), shared, "the link did not restore the same state");
      await waitAnswer(page, "baseball");
      expectNoErrors(w, "#view=tf-edit");
    } finally { await page.close(); }
  });

  it("embeds alone (?embed=1&view=tf-edit&controls=0)", async () => {
    await setup();
    const page = await S.context.newPage();
    await page.setViewportSize({ width: 760, height: 520 });
    const { w } = await openPage(S.context, S.url(`index.html?embed=1&view=tf-edit&controls=0#${hashOf({ ...EDIT, tf_edit_method: "rome" })}`),
      { label: "tf-edit-embed", page });
    try {
      await waitAnswer(page, "baseball");
      await frames(page, 5);
      await expectNotBlank(page, "tf-edit-embed");
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      assert.equal(st.embed, undefined, "the page key 'embed' leaked into getState()");
      expectNoErrors(w, "embed tf-edit");
    } finally { await page.close(); }
  });

  it("the edit changes the answer, reset restores it exactly; factlab:set and bad requests", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url(`index.html?embed=1&view=tf-edit#${hashOf({ ...EDIT, tf_prompt: PROMPT })}`), { label: "tf-edit-set" });
    try {
      const trained = await page.evaluate((p) => window.factlab.gpt.predict(p), PROMPT);
      assert.ok(trained.greedy.startsWith("basketball"), trained.greedy);
      await frames(page, 10);
      assert.deepEqual(await page.evaluate((p) => window.factlab.gpt.predict(p), PROMPT), trained, "no edit is applied before one is asked for");
      // Edit with ROME (what the "Edit with ROME" button sets), then reset (the reset button erases the key).
      let r = await page.evaluate(() => window.factlab.message({ type: "factlab:set", state: { tf_edit_method: "rome" }, id: 1 }));
      assert.equal(r.type, "factlab:state", JSON.stringify(r));
      await waitAnswer(page, "baseball");
      await expectNotBlank(page, "tf-edit-rome-applied");
      r = await page.evaluate(() => window.factlab.message({ type: "factlab:set", state: { tf_edit_method: "" }, id: 2 }));
      assert.equal(r.type, "factlab:state");
      await waitAnswer(page, "basketball");
      assert.deepEqual(await page.evaluate((p) => window.factlab.gpt.predict(p), PROMPT), trained, "reset did not restore the trained model exactly");
      // factlab:set: another object and the fine-tune (it takes golf, which ROME at layer 0 does not).
      await page.evaluate(() => window.factlab.message({ type: "factlab:set", state: { tf_edit_object: "golf", tf_edit_method: "finetune" }, id: 3 }));
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      assert.equal(st.tf_edit_object, "golf");
      assert.equal(st.tf_edit_method, "finetune");
      await waitAnswer(page, "golf");
      await expectNotBlank(page, "tf-edit-finetune-golf");
      // Bad requests: a message, and the lab back on the trained model (never a half edit).
      for (const bad of [{ tf_edit_subject: "<img src=x onerror=alert(1)>" }, { tf_edit_subject: "Michael Jordan", tf_edit_object: "curling" },
        { tf_edit_object: "basketball" }, { tf_edit_object: "golf", tf_edit_relation: "sprot" }, { tf_edit_relation: "sport", tf_edit_method: "magic" }]) {
        await page.evaluate((s) => window.factlab.message({ type: "factlab:set", state: s, id: 4 }), bad);
        await frames(page, 4);
        assert.deepEqual(await page.evaluate((p) => window.factlab.gpt.predict(p), PROMPT), trained, `after ${JSON.stringify(bad)}`);
      }
      await expectNotBlank(page, "tf-edit-bad-request");
      expectNoErrors(w, "tf-edit factlab:set");
    } finally { await page.close(); }
  });

  it("factlab.gpt.edit equals `factlab-cli gpt edit --json`; its time in the page", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html#view=prompt"), { label: "tf-edit-api" });
    try {
      const t0 = Date.now();
      const inPage = await page.evaluate(() => {
        const t = performance.now();
        const r = window.factlab.gpt.edit("Michael Jordan", { relation: "sport", object: "baseball" });
        return { r, ms: performance.now() - t };
      });
      const again = await page.evaluate(() => {
        const t = performance.now();
        window.factlab.gpt.edit("Michael Jordan", { relation: "sport", object: "golf" });
        return performance.now() - t;
      });
      log(`TF-EDIT whole in wasm (factlab.gpt.edit, Chromium, covariance included): ${inPage.ms.toFixed(0)} ms baseball, ${again.toFixed(0)} ms golf (page call ${Date.now() - t0} ms)`);
      const native = cli(["edit", "--subject", "Michael Jordan", "--relation", "sport", "--object", "baseball"]);
      const worst = { d: 0 };
      close(inPage.r, native, "edit", 1e-3, worst);
      log(`TF-EDIT wasm vs native JSON: largest absolute difference ${worst.d.toExponential(2)}`);
      // ROME's backward and C run through the model's own kernels: the same bits in wasm.
      assert.deepEqual(inPage.r, native, "factlab.gpt.edit differs from the CLI's JSON");
      const err = await page.evaluate(() => { try { window.factlab.gpt.edit("Michael Jordon", { relation: "sport", object: "golf" }); return null; } catch (e) { return e.message; } });
      assert.match(String(err), /unknown subject "Michael Jordon"/);
      const missing = await page.evaluate(() => { try { window.factlab.gpt.edit("Michael Jordan", {}); return null; } catch (e) { return e.message; } });
      assert.match(String(missing), /relation/);
      expectNoErrors(w, "factlab.gpt.edit");
    } finally { await page.close(); }
  });

  it("at phone width (390 x 844)", async () => {
    await setup();
    const page = await S.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const { w } = await openPage(S.context, S.url(`index.html#view=tf-edit&${hashOf({ ...EDIT, tf_edit_method: "rome" })}`), { label: "tf-edit-phone", page });
    try {
      await waitAnswer(page, "baseball");
      await frames(page, 5);
      await expectNotBlank(page, "tf-edit-phone");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
      assert.equal(overflow, false, "the page scrolls sideways at phone width");
      // The view itself at that width (in the full page it sits below the lab's other panels).
      await openPage(S.context, S.url(`index.html?embed=1&view=tf-edit#${hashOf({ ...EDIT, tf_edit_method: "rome" })}`), { page });
      await waitAnswer(page, "baseball");
      await frames(page, 5);
      await expectNotBlank(page, "tf-edit-phone-view");
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > innerWidth), false, "the view scrolls sideways at phone width");
      expectNoErrors(w, "tf-edit at phone width");
    } finally { await page.close(); }
  });
});
