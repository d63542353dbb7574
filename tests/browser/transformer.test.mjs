// transformer.test.mjs: the "Inside a transformer" lab (issue 14): every view renders
// (not blank) in the full page and alone as an embed, restores from its link (tf_ keys
// in the hash, through a real reload), answers factlab:set; factlab.gpt.predict / lens /
// trace return exactly the JSON of `factlab-cli gpt ... --json` (native build) for the
// built-in model; the trace view at phone width. Prints the trace's time in the page,
// the default view's first frame and the site's size (measured, never asserted).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT, once, session, openPage, reloadPage, expectNotBlank, expectNoErrors, parseQuery, siteSize, log, frames } from "./harness.mjs";

const VIEWS = ["prompt", "trace", "lens", "attention", "train"];
const EMBED = { width: 760, height: 440 };
const PROMPT = "Michael Jordan plays the sport of";
const CLI = path.resolve(ROOT, process.env.FACTLAB_CLI || "build/native-release/factlab-cli");

function cli(args) {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: cmake --build --preset native-release --target factlab-cli (or set FACTLAB_CLI)`);
  return JSON.parse(execFileSync(CLI, ["gpt", ...args, "--json"], { encoding: "utf8" }));
}

describe("transformer lab", () => {
  let S;
  const setup = once(async () => { S = await session(); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  for (const id of VIEWS) {
    it(`${id}: renders in the full page and restores from its link`, async () => {
      await setup();
      const hash = `view=${id}&tf_prompt=${encodeURIComponent("Michael Jordan played for the")}&tf_layer=1&tf_head=2&tf_noise=2.5&tf_samples=4&tf_seed=7`;
      const { page, w } = await openPage(S.context, S.url(`index.html#${hash}`), { label: `tf-${id}` });
      try {
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.view, id);
        assert.equal(st.tf_prompt, "Michael Jordan played for the");
        assert.equal(st.tf_layer, "1");
        assert.equal(st.tf_samples, "4");
        await expectNotBlank(page, `tf-${id}-full`);
        // The round trip: what the page shares is what a reload restores.
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
        // A figure shorter than the frame is judged on its own area: a host fits the iframe to it (factlab:size).
        const fig = await page.evaluate(() => window.factlab.figure && window.factlab.figure());
        const box = fig && fig.height < EMBED.height ? { x: 0, y: 0, w: EMBED.width, h: fig.height } : null;
        await expectNotBlank(page, `tf-${id}-embed`, box ? { box } : {});
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.embed, undefined, "the page key 'embed' leaked into getState()");
        expectNoErrors(w, `embed ${id}`);
      } finally { await page.close(); }
    });
  }

  it("answers factlab:set (the prompt and the head change; a bad value is refused)", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html?embed=1&view=attention&controls=0"), { label: "tf-set" });
    try {
      const r = await page.evaluate(() => window.factlab.message({ type: "factlab:set", state: { tf_prompt: "Michael Jordan wore the number", tf_head: 3 }, id: 1 }));
      assert.equal(r.type, "factlab:state", JSON.stringify(r));
      await frames(page, 3);
      const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
      assert.equal(st.tf_prompt, "Michael Jordan wore the number");
      assert.equal(st.tf_head, "3");
      await expectNotBlank(page, "tf-attention-after-set");
      expectNoErrors(w, "factlab:set");
    } finally { await page.close(); }
  });

  it("factlab.gpt.predict / lens / trace equal the CLI's JSON; trace time in the page", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html"), { label: "tf-api" });
    try {
      for (const prompt of [PROMPT, "Michael Jordan played for the", "Michael Jordan wore the number"]) {
        const inPage = await page.evaluate((p) => ({
          predict: window.factlab.gpt.predict(p), lens: window.factlab.gpt.lens(p),
          trace: window.factlab.gpt.trace(p, { samples: 10, seed: 3 }) }), prompt);
        assert.deepEqual(inPage.predict, cli(["predict", "--prompt", prompt]), `predict "${prompt}"`);
        assert.deepEqual(inPage.lens, cli(["lens", "--prompt", prompt]), `lens "${prompt}"`);
        assert.deepEqual(inPage.trace, cli(["trace", "--prompt", prompt, "--samples", "10", "--seed", "3"]), `trace "${prompt}"`);
      }
      // A refused prompt throws with the CLI's message naming the unknown word.
      const err = await page.evaluate(() => { try { window.factlab.gpt.predict("Michael Jordon plays"); return null; } catch (e) { return e.message; } });
      assert.match(String(err), /Jordon/);
      // A 2,000,000-character prompt is refused with a message, and the next call still
      // answers the same numbers (it once went onto the 1 MB wasm stack unbounded).
      const before = await page.evaluate(() => window.factlab.gpt.predict("Michael Jordan plays the sport of"));
      const long = await page.evaluate(() => { try { window.factlab.gpt.predict("a ".repeat(1000000)); return null; } catch (e) { return e.message; } });
      assert.match(String(long), /longer than 4096/);
      const optsLong = await page.evaluate(() => { try { window.factlab.gpt.trace("Michael Jordan plays the sport of", { pad: "x".repeat(100000) }); return null; } catch (e) { return e.message; } });
      assert.match(String(optsLong), /options are longer/);
      const afterLong = await page.evaluate(() => window.factlab.gpt.predict("Michael Jordan plays the sport of"));
      assert.deepEqual(afterLong, before, "predict after the long prompts");
      // The trace's time in the page: ten runs, three kinds of map, 10 samples each.
      const ms = await page.evaluate((p) => {
        const t = [];
        for (let i = 0; i < 10; ++i) { const t0 = performance.now(); window.factlab.gpt.trace(p, { seed: i + 1 }); t.push(performance.now() - t0); }
        t.sort((a, b) => a - b);
        return { median: t[5], worst: t[9] };
      }, PROMPT);
      log(`TRACE in the page (3 maps, 10 samples, "${PROMPT}", built-in model): median ${ms.median.toFixed(1)} ms, worst ${ms.worst.toFixed(1)} ms of 10 (budget 200 ms)`);
      const first = await page.evaluate(() => window.factlab.firstFrameMs);
      log(`FIRST FRAME of the default view (index.html, cold profile): ${first.toFixed(0)} ms`);
      const size = siteSize();
      log(`SITE ${size.raw} bytes raw, ${size.gzip} bytes gzip (budget 2.2 MB / 1.0 MB): ${size.files.slice(0, 3).map((f) => `${f.file} ${f.raw}/${f.gzip}`).join(", ")}`);
      expectNoErrors(w, "factlab.gpt");
    } finally { await page.close(); }
  });

  it("the trace view at phone width (390 x 844)", async () => {
    await setup();
    const page = await S.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const { w } = await openPage(S.context, S.url(`index.html#view=trace&tf_prompt=${encodeURIComponent(PROMPT)}`), { label: "tf-phone", page });
    try {
      await expectNotBlank(page, "tf-trace-phone");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
      assert.equal(overflow, false, "the page scrolls sideways at phone width");
      expectNoErrors(w, "trace at phone width");
    } finally { await page.close(); }
  });
});
