// jobs.test.mjs: long jobs whole in a Web Worker of their own (core/jobs_long.hpp,
// src/worker/worker_jobs.cpp, web/factlab-page.js [11]) against the page thread's
// sliced path (?workers=0):
//   - the capacity sweep (no superposition), the transformer's training (the
//     train view, issue 14), the learned block's training and the interference
//     series give the same numbers both ways: hashes of the sweep's runs, of the
//     trained weights, of the loss curve and of the series' points;
//   - while a job runs in a worker the page keeps drawing (frame gaps printed), and
//     once it is done the page is idle (Chromium's CPU from /proc);
//   - the train view renders (screenshot, not blank), restores from its link and embeds.
// Timing is printed, never asserted beyond loose sanity bounds (a shared machine).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, expectNoErrors, expectNotBlank, shoot, log, parseQuery, frames } from "./harness.mjs";
import { measureCpu } from "./cpu.mjs";

// Two small sizes, 16 objects, one relation: seconds, not minutes.
const SWEEP = "cap_sizes=16x4,16x8&cap_cand=0&cap_rel=1";
// 30 Adam steps of the built-in recipe on the built-in facts (accuracy at 0, 25, 30).
const TRAIN = "tf_steps=30&tf_train_seed=1&tf_train=1";

// requestAnimationFrame gaps over `ms` of wall time, in the page.
const gaps = (ms) => new Promise((resolve) => {
  let frames = 0, worst = 0, last = performance.now();
  const t0 = last, all = [];
  function tick(now) {
    ++frames;
    all.push(now - last);
    worst = Math.max(worst, now - last);
    last = now;
    if (now - t0 < ms) requestAnimationFrame(tick);
    else { all.sort((a, b) => a - b); resolve({ frames, seconds: (now - t0) / 1000, worst, median: all[all.length >> 1] }); }
  }
  requestAnimationFrame(tick);
});
const fmtGaps = (g) => `${g.frames} frames in ${g.seconds.toFixed(1)} s (${(g.frames / g.seconds).toFixed(1)}/s), ` +
  `median gap ${g.median.toFixed(0)} ms, worst ${g.worst.toFixed(0)} ms`;

// Opens `url`, measures frame gaps for the first `gapMs` of the job, waits for `done`.
async function runJob(S, url, label, pick, gapMs = 6000, timeout = 600000) {
  const { page, w } = await openPage(S.context, S.url(url), { label });
  const t0 = Date.now();
  const g = await page.evaluate(gaps, gapMs);
  const mid = await page.evaluate(pick);
  await shoot(page, `${label}-running`);
  await page.waitForFunction(`(${pick.toString()})().done || (${pick.toString()})().error`, null, { timeout, polling: 250 });
  const r = await page.evaluate(pick);
  const wall = (Date.now() - t0) / 1000;
  log(`${label}: ran ${mid.where || "?"}; while running ${fmtGaps(g)}; done in ${wall.toFixed(1)} s wall`);
  assert.equal(r.error, "", `${label}: ${r.error}`);
  return { page, w, r, g, mid, wall };
}

describe("long jobs in Web Workers", () => {
  let S;
  const setup = once(async () => { S = await session(); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  let sweepPage;
  it("the capacity sweep on the page thread (?workers=0)", async () => {
    await setup();
    const x = await runJob(S, `index.html?embed=1&view=capacity&workers=0#${SWEEP}`, "sweep-page",
      () => window.factlab.jobs().capacity);
    sweepPage = x.r;
    assert.equal(x.mid.where, "page");
    log(`sweep-page: ${JSON.stringify(x.r.sizes)}, ${x.r.seconds.toFixed(2)} s of computing, hash ${x.r.results_hash}`);
    assert.ok(x.r.sizes.length === 2 && x.r.sizes.every((s) => s.runs >= 1), "the sweep made no runs");
    expectNoErrors(x.w, "sweep-page");
    await x.page.close();
  });

  it("the capacity sweep in a worker gives the same runs; the page draws, then idles", async () => {
    await setup();
    const x = await runJob(S, `index.html?embed=1&view=capacity&workers=1#${SWEEP}`, "sweep-worker",
      () => window.factlab.jobs().capacity);
    assert.equal(x.mid.where, "worker", "the sweep did not run in a worker");
    log(`sweep-worker: ${JSON.stringify(x.r.sizes)}, ${x.r.seconds.toFixed(2)} s of computing, hash ${x.r.results_hash}`);
    assert.equal(x.r.results_hash, sweepPage.results_hash, "the worker's sweep differs from the page thread's");
    assert.deepEqual(x.r.sizes, sweepPage.sizes);
    await expectNotBlank(x.page, "sweep-worker-done");
    assert.ok(x.g.frames >= 5, `only ${x.g.frames} frames while the sweep ran`);
    await new Promise((r) => setTimeout(r, 2000));
    const m = await measureCpu(8000);
    log(`sweep-worker: after the sweep ${m.cores.toFixed(3)} cores`);
    assert.ok(m.cores <= 0.15, `the page stayed busy after the sweep: ${m.cores.toFixed(3)} cores`);
    expectNoErrors(x.w, "sweep-worker");
    await x.page.close();
  });

  let trainPage;
  it("the transformer's training on the page thread (?workers=0)", async () => {
    await setup();
    const x = await runJob(S, `index.html?embed=1&view=train&workers=0#${TRAIN}`, "train-page",
      () => window.factlab.jobs().gpt_train);
    trainPage = x.r;
    assert.equal(x.mid.where, "page");
    log(`train-page: ${x.r.steps_done} steps, loss ${x.r.loss.toFixed(4)}, known ${(100 * x.r.accuracy).toFixed(1)}% ` +
        `(held out ${(100 * x.r.held_out_accuracy).toFixed(1)}%), ${(x.r.work_ms / 1000).toFixed(1)} s of work, ` +
        `weights ${x.r.weights_hash}, losses ${x.r.losses_hash}`);
    assert.equal(x.r.steps_done, 30);
    assert.ok(x.r.weights_hash.length === 16);
    expectNoErrors(x.w, "train-page");
    await x.page.close();
  });

  it("the transformer's training in a worker gives the same weights; the page draws, then idles", async () => {
    await setup();
    const x = await runJob(S, `index.html?embed=1&view=train&workers=1#${TRAIN}`, "train-worker",
      () => window.factlab.jobs().gpt_train);
    assert.equal(x.mid.where, "worker", "the training did not run in a worker");
    log(`train-worker: ${x.r.steps_done} steps, loss ${x.r.loss.toFixed(4)}, known ${(100 * x.r.accuracy).toFixed(1)}%, ` +
        `${(x.r.work_ms / 1000).toFixed(1)} s of work, weights ${x.r.weights_hash}, losses ${x.r.losses_hash}`);
    assert.equal(x.r.weights_hash, trainPage.weights_hash, "the worker's weights differ from the page thread's");
    assert.equal(x.r.losses_hash, trainPage.losses_hash, "the worker's loss curve differs");
    assert.equal(x.r.accuracy, trainPage.accuracy);
    assert.ok(x.g.frames >= 5, `only ${x.g.frames} frames while training`);
    // The lab now uses the new model: the prompt's answer comes from it.
    const p = await x.page.evaluate(() => window.factlab.gpt.predict("Michael Jordan plays the sport of"));
    log(`train-worker: after 30 steps the lab's model continues "Michael Jordan plays the sport of" with "${p.greedy}"`);
    await expectNotBlank(x.page, "train-worker-done");
    await new Promise((r) => setTimeout(r, 2000));
    const m = await measureCpu(8000);
    log(`train-worker: after the training ${m.cores.toFixed(3)} cores`);
    assert.ok(m.cores <= 0.15, `the page stayed busy after training: ${m.cores.toFixed(3)} cores`);
    expectNoErrors(x.w, "train-worker");
    await x.page.close();
  });

  it("leaving the train view holds the worker; coming back resumes it", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html?workers=1#view=train&tf_steps=200&tf_train=1"), { label: "train-leave" });
    await page.waitForFunction(() => window.factlab.jobs().gpt_train.steps_done >= 3, null, { timeout: 300000, polling: 250 });
    await page.evaluate(() => window.factlab.setState("view=lookup"));
    await new Promise((r) => setTimeout(r, 3000));
    const a = await page.evaluate(() => window.factlab.jobs().gpt_train);
    const m = await measureCpu(6000);
    const b = await page.evaluate(() => window.factlab.jobs().gpt_train);
    log(`train-leave: left at step ${a.steps_done}; 6 s later step ${b.steps_done}, ${m.cores.toFixed(3)} cores`);
    assert.equal(b.steps_done, a.steps_done, "the worker kept training while nobody watched");
    // Looser than after a finished job: the lookup view has just been drawn (SwiftShader, a shared machine).
    assert.ok(m.cores <= 0.25, `the page stayed busy after the reader left: ${m.cores.toFixed(3)} cores`);
    await page.evaluate(() => window.factlab.setState("view=train&tf_steps=200&tf_train=1"));
    await page.waitForFunction((s) => window.factlab.jobs().gpt_train.steps_done > s, b.steps_done, { timeout: 120000, polling: 250 });
    const c = await page.evaluate(() => window.factlab.jobs().gpt_train);
    log(`train-leave: back on the view, training resumed (step ${c.steps_done}, ${c.where})`);
    assert.equal(c.where, "worker");
    // Changing the settings cancels the run (its worker ends).
    await page.evaluate(() => window.factlab.setState("view=train&tf_steps=300&tf_train=1"));
    await frames(page, 5);
    const d = await page.evaluate(() => window.factlab.jobs().gpt_train);
    assert.equal(d.active, false, "the run went on after its settings changed");
    expectNoErrors(w, "train-leave");
    await page.close();
  });

  // The capacity lab's learned model, then its interference series (it starts once the
  // model is trained): a 300-step budget keeps the narrow widths' runs short.
  const LEARN = "cap_steps=300&cap_seed=2";
  const learnPick = () => { const j = window.factlab.jobs(); return { learned: j.learned, interference: j.interference,
    done: j.learned.done && j.interference.done, error: j.learned.error + j.interference.error, where: j.learned.where }; };
  let learnPage;
  for (const workers of [0, 1]) {
    it(`the learned model and the interference series ${workers ? "in workers: the same numbers" : "on the page thread"}`, async () => {
      await setup();
      const label = workers ? "learn-worker" : "learn-page";
      const x = await runJob(S, `index.html?embed=1&view=interference&workers=${workers}#${LEARN}`, label, learnPick, 3000);
      const { learned: L, interference: I } = x.r;
      log(`${label}: learned ${L.where}, ${L.steps_done} steps, accuracy ${(100 * L.accuracy).toFixed(1)}%, ` +
          `${L.seconds.toFixed(2)} s of computing, weights ${L.weights_hash}; interference ${I.where}, ${I.points} points, ` +
          `hash ${I.points_hash}`);
      assert.equal(L.where, workers ? "worker" : "page");
      assert.equal(I.where, workers ? "worker" : "page");
      assert.equal(I.points, 12);
      assert.ok(L.steps_done >= 1 && L.accuracy > 0.5, `the learned model did not learn: ${JSON.stringify(L)}`);
      if (!workers) learnPage = x.r;
      else {
        assert.equal(L.weights_hash, learnPage.learned.weights_hash, "the worker's learned weights differ from the page's");
        assert.equal(L.steps_done, learnPage.learned.steps_done);
        assert.equal(L.accuracy, learnPage.learned.accuracy);
        assert.equal(I.points_hash, learnPage.interference.points_hash, "the worker's interference series differs");
        await new Promise((r) => setTimeout(r, 2000));
        const m = await measureCpu(8000);
        log(`${label}: after both jobs ${m.cores.toFixed(3)} cores`);
        assert.ok(m.cores <= 0.15, `the page stayed busy after the jobs: ${m.cores.toFixed(3)} cores`);
      }
      // The figure is as tall as its plot (it tells the host its height): check the top.
      await expectNotBlank(x.page, `${label}-done`, { box: { x: 0, y: 0, w: 1280, h: 240 } });
      expectNoErrors(x.w, label);
      await x.page.close();
    });
  }

  // Pause, then Step: one Adam step a click, in the worker, two quick clicks two steps.
  it("the learned model's Step in a worker takes exactly one Adam step a click", async () => {
    await setup();
    // Two neurons never reach 100%: the run goes on until paused. The buttons' row sits
    // under the controls (artifacts/browser/learn-step.png): Pause at x 37, Step at x 95.
    const { page, w } = await openPage(S.context, S.url("index.html?embed=1&view=learn&workers=1#cap_h=2&cap_steps=20000"), { label: "learn-step" });
    const steps = () => page.evaluate(() => window.factlab.jobs().learned);
    await page.waitForFunction(() => window.factlab.jobs().learned.steps_done >= 20, null, { timeout: 120000, polling: 100 });
    await shoot(page, "learn-step");
    const box = await page.locator("#canvas").boundingBox();
    await page.mouse.click(box.x + 37, box.y + 141);            // Pause
    await new Promise((r) => setTimeout(r, 1500));
    const a = await steps();
    assert.equal(a.playing, false, "Pause did not pause the run");
    assert.equal(a.where, "worker");
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await steps()).steps_done, a.steps_done, "the worker went on after Pause");
    await page.mouse.click(box.x + 95, box.y + 141);            // Step
    await page.waitForFunction((s) => window.factlab.jobs().learned.steps_done > s, a.steps_done, { timeout: 30000, polling: 50 });
    await new Promise((r) => setTimeout(r, 800));
    const b = await steps();
    await page.mouse.click(box.x + 95, box.y + 141);
    await page.mouse.click(box.x + 95, box.y + 141);
    await page.waitForFunction((s) => window.factlab.jobs().learned.steps_done >= s + 2, b.steps_done, { timeout: 30000, polling: 50 });
    await new Promise((r) => setTimeout(r, 800));
    const c = await steps();
    log(`learn-step: paused at step ${a.steps_done}; Step: ${b.steps_done}; two more clicks: ${c.steps_done}`);
    assert.equal(b.steps_done, a.steps_done + 1);
    assert.equal(c.steps_done, b.steps_done + 2);
    expectNoErrors(w, "learn-step");
    await page.close();
  });

  it("the train view restores from its link and embeds", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html#view=train&tf_steps=40&tf_train_seed=3"), { label: "train-link" });
    const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
    assert.equal(st.view, "train");
    assert.equal(st.tf_steps, "40");
    assert.equal(st.tf_train_seed, "3");
    await expectNotBlank(page, "train-link");
    expectNoErrors(w, "train-link");
    await page.close();
    // Embedded alone, training by itself: its progress and curves fill the frame.
    const e = await openPage(S.context, S.url("index.html?embed=1&view=train&controls=0&workers=1#tf_steps=10&tf_train=1"), { label: "train-embed" });
    await e.page.waitForFunction(() => window.factlab.jobs().gpt_train.steps_done >= 1, null, { timeout: 300000, polling: 250 });
    await expectNotBlank(e.page, "train-embed");
    expectNoErrors(e.w, "train-embed");
    await e.page.close();
  });
});
