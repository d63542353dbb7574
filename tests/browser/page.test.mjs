// page.test.mjs: the page loads with no console errors, draws a non-blank lab,
// answers factlab.lookup("Michael Jordan") like the CLI, and stays in budget.
// Prints the time to first frame and the site size (raw and gzip).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, expectNotBlank, expectNoErrors, siteSize, site, log, shoot } from "./harness.mjs";

// Bytes: issue 14 raised the budget for the transformer lab (the built-in model ships
// in the wasm) and the worker module: "the site at most 2.2 MB raw and 1.0 MB gzip".
const BUDGET_RAW = 2_200_000, BUDGET_GZIP = 1_000_000;

describe("site size", () => {
  it("is measured and within the 2.2 MB raw / 1.0 MB gzip budget", () => {
    const s = siteSize(site());
    for (const f of s.files) log(`  ${f.file.padEnd(28)} ${String(f.raw).padStart(9)} raw ${String(f.gzip).padStart(9)} gzip`);
    log(`SITE SIZE: ${s.raw} bytes raw (${(s.raw / 1e6).toFixed(3)} MB), ${s.gzip} bytes gzip -9 (${(s.gzip / 1e6).toFixed(3)} MB), ${s.files.length} files`);
    assert.ok(s.files.some((f) => f.file.endsWith(".wasm")), "no .wasm in the site");
    assert.ok(s.raw <= BUDGET_RAW, `the site is ${s.raw} bytes raw, over the ${BUDGET_RAW}-byte budget`);
    assert.ok(s.gzip <= BUDGET_GZIP, `the site is ${s.gzip} bytes gzip, over the ${BUDGET_GZIP}-byte budget`);
  });
});

describe("the page", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session();
    ({ page, w } = await openPage(S.context, S.url("index.html"), { label: "index" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("resolves factlab.ready and reports the time to first frame", async () => {
    await setup();
    const t = await page.evaluate(() => ({
      firstFrameMs: window.factlab.firstFrameMs,
      sinceNavigation: performance.getEntriesByType("navigation")[0] ? performance.now() : null,
      dcl: performance.getEntriesByType("navigation")[0]?.domContentLoadedEventEnd,
    }));
    assert.equal(typeof t.firstFrameMs, "number", "factlab.firstFrameMs is not a number after ready");
    assert.ok(t.firstFrameMs > 0 && Number.isFinite(t.firstFrameMs), `firstFrameMs = ${t.firstFrameMs}`);
    log(`FIRST FRAME: factlab.firstFrameMs = ${t.firstFrameMs.toFixed(0)} ms (headless Chromium, SwiftShader; budget 1500 ms, not asserted); DOMContentLoaded at ${t.dcl?.toFixed(0)} ms`);
  });

  it("time to first frame over 3 more fresh loads (printed, not asserted)", async () => {
    await setup();
    const ms = [await page.evaluate(() => window.factlab.firstFrameMs)];
    for (let k = 0; k < 3; ++k) {          // one page at a time: a running lab would slow the next load
      await page.goto("about:blank");
      await openPage(S.context, S.url("index.html"), { page, settle: 1 });
      ms.push(await page.evaluate(() => window.factlab.firstFrameMs));
    }
    const sorted = [...ms].sort((a, b) => a - b);
    const load = (await import("node:os")).loadavg()[0];
    log(`FIRST FRAME over ${ms.length} loads: ${ms.map((x) => x.toFixed(0)).join(", ")} ms; median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, ` +
      `min ${sorted[0].toFixed(0)} ms (machine load average ${load.toFixed(1)} on ${(await import("node:os")).cpus().length} CPUs)`);
    assert.ok(ms.every((x) => Number.isFinite(x) && x > 0));
  });

  it("draws a non-blank canvas that fills the window", async () => {
    await setup();
    const r = await expectNotBlank(page, "page-index");
    const vp = page.viewportSize();
    assert.ok(r.dom.css[0] >= vp.width * 0.95 && r.dom.css[1] >= vp.height * 0.9,
      `the canvas is ${r.dom.css} CSS px in a ${vp.width}x${vp.height} window`);
    await shoot(page, "page-index-full");
  });

  it("lookup('Michael Jordan') says basketball, Chicago Bulls, 23", async () => {
    await setup();
    const r = await page.evaluate(() => window.factlab.lookup("Michael Jordan"));
    log(`lookup(Michael Jordan): ${JSON.stringify(r).slice(0, 400)}`);
    assert.equal(r.subject, "Michael Jordan");
    assert.deepEqual(r.tokens, ["Michael", "Jordan"]);
    assert.equal(r.answers?.sport?.object, "basketball", "sport");
    if (r.answers.team) assert.equal(r.answers.team.object, "Chicago Bulls", "team");
    else log("lookup: no 'team' relation answered for Michael Jordan");
    if (r.answers.number) assert.equal(String(r.answers.number.object), "23", "number");
    else log("lookup: no 'number' relation answered for Michael Jordan");
  });

  it("each relation's probabilities sum to 1, ranked, with the answer first", async () => {
    await setup();
    for (const subject of ["Michael Jordan", "Michael Phelps", "Alexis Jordan"]) {
      const r = await page.evaluate((s) => window.factlab.lookup(s), subject);
      const rels = Object.keys(r.answers || {});
      assert.ok(rels.length > 0, `${subject}: no answers`);
      for (const rel of rels) {
        const a = r.answers[rel];
        assert.ok(Array.isArray(a.ranking) && a.ranking.length > 0, `${subject}/${rel}: no ranking`);
        const sum = a.ranking.reduce((s, x) => s + x.probability, 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `${subject}/${rel}: probabilities sum to ${sum}`);
        for (let k = 1; k < a.ranking.length; ++k)
          assert.ok(a.ranking[k - 1].probability >= a.ranking[k].probability, `${subject}/${rel}: ranking not sorted`);
        assert.equal(a.ranking[0].object, a.object, `${subject}/${rel}: answer is not the top of the ranking`);
        assert.ok(Math.abs(a.ranking[0].probability - a.probability) < 1e-6, `${subject}/${rel}: probability differs from the ranking's`);
      }
    }
    const phelps = await page.evaluate(() => window.factlab.lookup("Michael Phelps"));
    assert.equal(phelps.answers.sport.object, "swimming", "Michael Phelps: the AND gate must not fire basketball");
  });

  it("an unknown subject gets an answer object, not an exception", async () => {
    await setup();
    const r = await page.evaluate(() => { try { return { ok: true, v: window.factlab.lookup("Nobody Atall <b>x</b>") }; } catch (e) { return { ok: false, e: String(e) }; } });
    assert.ok(r.ok, `lookup threw: ${r.e}`);
    assert.equal(typeof r.v, "object");
  });

  it("the site has an icon: no /favicon.ico 404 (a console error in every browser)", async () => {
    await setup();
    const r = await page.evaluate(async () => {
      const link = document.querySelector('link[rel~="icon"]');
      if (link) return { declared: link.getAttribute("href") };
      const res = await fetch("/favicon.ico", { cache: "no-store" });
      return { status: res.status };
    });
    assert.ok(r.declared !== undefined || r.status === 200,
      `index.html declares no <link rel="icon"> and /favicon.ico gives HTTP ${r.status}: Chromium logs "Failed to load resource: 404" for it`);
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "index.html"); });
});
