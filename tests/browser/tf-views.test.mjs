// tf-views.test.mjs: the transformer lab's "AND gate in the wild" (view=wild) and "Cartoon
// vs. trained" (view=compare) views (issue 14): each renders (not blank) in the full page,
// restores from its link through a real reload, embeds alone, answers factlab:set, fits a
// phone (390 x 844); factlab.gpt.gate returns exactly `factlab-cli gpt gate --json` (native
// build) for the built-in model; the site stays within its budget. Screenshots land in
// artifacts/browser/ (tf-wild-*.png, tf-compare-*.png).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT, once, session, openPage, reloadPage, expectNotBlank, expectNoErrors, parseQuery, siteSize, log, frames, registeredViews } from "./harness.mjs";

const VIEWS = ["wild", "compare"];
const EMBED = { width: 760, height: 520 };
const PROMPT = "Michael Jordan plays the sport of";
const CLI = path.resolve(ROOT, process.env.FACTLAB_CLI || "build/native-release/factlab-cli");

function cli(args) {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: cmake --build --preset native-release --target factlab-cli (or set FACTLAB_CLI)`);
  return JSON.parse(execFileSync(CLI, ["gpt", ...args, "--json"], { encoding: "utf8" }));
}

describe("transformer lab: wild and compare", () => {
  let S;
  const setup = once(async () => { S = await session(); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("both views are registered in the transformer lab", async () => {
    await setup();
    const { page } = await openPage(S.context, S.url("index.html"), { label: "tf-views-registered" });
    try {
      const { ids } = await registeredViews(page);
      for (const id of VIEWS) assert.ok(ids.includes(id), `view ${id} is not registered (${ids.join(", ")})`);
    } finally { await page.close(); }
  });

  for (const id of VIEWS) {
    it(`${id}: renders in the full page and restores from its link`, async () => {
      await setup();
      const hash = `view=${id}&tf_prompt=${encodeURIComponent("Michael Jordan played for the")}&tf_k=20`;
      const { page, w } = await openPage(S.context, S.url(`index.html#${hash}`), { label: `tf-${id}` });
      try {
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.view, id);
        assert.equal(st.tf_prompt, "Michael Jordan played for the");
        assert.equal(st.tf_k, "20");
        await expectNotBlank(page, `tf-${id}-full`);
        const shared = await page.evaluate(() => window.factlab.getState());
        await page.evaluate((h) => { location.hash = h; }, shared);
        await reloadPage(page);
        assert.equal(await page.evaluate(() => window.factlab.getState()), shared, "the link did not restore the same state");
        expectNoErrors(w, `#view=${id}`);
      } finally { await page.close(); }
    });

    it(`${id}: embeds alone (?embed=1&view=${id}&controls=0)`, async () => {
      await setup();
      const page = await S.context.newPage();
      await page.setViewportSize(EMBED);
      const { w } = await openPage(S.context, S.url(`index.html?embed=1&view=${id}&controls=0#tf_prompt=${encodeURIComponent(PROMPT)}`),
        { label: `tf-embed-${id}`, page });
      try {
        await expectNotBlank(page, `tf-${id}-embed`);
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.embed, undefined, "the page key 'embed' leaked into getState()");
        assert.equal(st.view, id);
        expectNoErrors(w, `embed ${id}`);
      } finally { await page.close(); }
    });

    it(`${id}: answers factlab:set (prompt and K change; a bad message is refused, state intact)`, async () => {
      await setup();
      const { page, w } = await openPage(S.context, S.url(`index.html?embed=1&view=${id}&controls=0`), { label: `tf-set-${id}` });
      try {
        const r = await page.evaluate(() => window.factlab.message({ type: "factlab:set", state: { tf_prompt: "Michael Jordan wore the number", tf_k: 8 }, id: 1 }));
        assert.equal(r.type, "factlab:state", JSON.stringify(r));
        await frames(page, 3);
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.tf_prompt, "Michael Jordan wore the number");
        assert.equal(st.tf_k, "8");
        const bad = await page.evaluate(() => window.factlab.message({ type: "factlab:set", state: { tf_prompt: { nested: 1 } }, id: 2 }));
        assert.equal(bad.type, "factlab:error", JSON.stringify(bad));
        assert.equal(parseQuery(await page.evaluate(() => window.factlab.getState())).tf_prompt, "Michael Jordan wore the number");
        await expectNotBlank(page, `tf-${id}-after-set`);
        // A prompt without a subject, and one with an unknown word: a message, no crash; then a good one again.
        for (const p of ["plays the sport of", "Michael Jordon plays", "Michael Phelps plays the sport of"]) {
          await page.evaluate((p) => window.factlab.message({ type: "factlab:set", state: { tf_prompt: p }, id: 3 }), p);
          await frames(page, 3);
        }
        assert.equal(parseQuery(await page.evaluate(() => window.factlab.getState())).tf_prompt, "Michael Phelps plays the sport of");
        await expectNotBlank(page, `tf-${id}-after-bad-prompts`);
        expectNoErrors(w, `factlab:set ${id}`);
      } finally { await page.close(); }
    });

    it(`${id}: at phone width (390 x 844)`, async () => {
      await setup();
      const page = await S.context.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const { w } = await openPage(S.context, S.url(`index.html#view=${id}&tf_prompt=${encodeURIComponent(PROMPT)}`), { label: `tf-phone-${id}`, page });
      try {
        await expectNotBlank(page, `tf-${id}-phone`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
        assert.equal(overflow, false, "the page scrolls sideways at phone width");
        // The view itself at phone width: alone, with its controls.
        await openPage(S.context, S.url(`index.html?embed=1&view=${id}#tf_prompt=${encodeURIComponent(PROMPT)}`), { label: `tf-phone-${id}`, page });
        await expectNotBlank(page, `tf-${id}-phone-alone`);
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > innerWidth), false, "the view scrolls sideways at phone width");
        expectNoErrors(w, `${id} at phone width`);
      } finally { await page.close(); }
    });
  }

  it("factlab.gpt.gate equals `factlab-cli gpt gate --json`; its time; the site budget", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html"), { label: "tf-gate-api" });
    try {
      for (const [prompt, opts, args] of [[PROMPT, {}, []], ["Michael Jordan played for the", { top: 10 }, ["--top", "10"]],
        ["The sport played by Michael Phelps is", { top: 5 }, ["--top", "5"]]]) {
        const inPage = await page.evaluate(([p, o]) => window.factlab.gpt.gate(p, o), [prompt, opts]);
        assert.deepEqual(inPage, cli(["gate", "--prompt", prompt, ...args]), `gate "${prompt}"`);
      }
      const err = await page.evaluate(() => { try { window.factlab.gpt.gate("plays the sport of"); return null; } catch (e) { return e.message; } });
      assert.match(String(err), /no subject/);
      const ms = await page.evaluate((p) => {
        const t = [];
        for (let i = 0; i < 5; ++i) { const t0 = performance.now(); window.factlab.gpt.gate(p, { top: 32 + i }); t.push(performance.now() - t0); }
        t.sort((a, b) => a - b);
        return { median: t[2], worst: t[4] };
      }, PROMPT);
      log(`GATE in the page ("${PROMPT}", K 32, built-in model): median ${ms.median.toFixed(1)} ms, worst ${ms.worst.toFixed(1)} ms of 5`);
      const all = await page.evaluate((p) => {   // the wild view's default: every one of the 512 neurons in the curve
        const t = [];
        for (let i = 0; i < 3; ++i) { const t0 = performance.now(); window.factlab.gpt.gate(p, { top: 512 - i }); t.push(performance.now() - t0); }
        t.sort((a, b) => a - b);
        return { median: t[1], worst: t[2] };
      }, PROMPT);
      log(`GATE in the page ("${PROMPT}", K 512 as the wild view): median ${all.median.toFixed(1)} ms, worst ${all.worst.toFixed(1)} ms of 3`);
      const size = siteSize();
      log(`SITE ${size.raw} bytes raw, ${size.gzip} bytes gzip (budget 2,200,000 / 1,000,000)`);
      assert.ok(size.raw <= 2.2e6, `site ${size.raw} bytes raw is over 2.2 MB`);
      assert.ok(size.gzip <= 1.0e6, `site ${size.gzip} bytes gzip is over 1.0 MB`);
      expectNoErrors(w, "factlab.gpt.gate");
    } finally { await page.close(); }
  });
});
