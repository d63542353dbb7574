// superposition.test.mjs: the video's 10,000 x 100 experiment in the page
// (issue #3): the page keeps drawing while the optimiser runs, sliced per frame.
// Measures and prints the frame rate (counted by requestAnimationFrame in the
// page, and as the lab itself counts it) and the optimiser's progress; asserts
// only that frames kept coming and the run advanced, never a speed.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { once, session, openPage, expectNotBlank, expectNoErrors, log } from "./harness.mjs";

const RUN_SECONDS = Number(process.env.FACTLAB_SP_SECONDS || 20);

// Counts frames with requestAnimationFrame for `ms`: the reader's view of the frame rate.
const countFrames = (ms) => new Promise((resolve) => {
  let frames = 0, worst = 0, last = performance.now();
  const t0 = last, gaps = [];
  function tick(now) {
    ++frames;
    gaps.push(now - last);
    worst = Math.max(worst, now - last);
    last = now;
    if (now - t0 < ms) requestAnimationFrame(tick);
    else {
      gaps.sort((a, b) => a - b);
      resolve({ frames, seconds: (now - t0) / 1000, worst, p95: gaps[Math.floor(gaps.length * 0.95)] });
    }
  }
  requestAnimationFrame(tick);
});

describe("superposition lab at 10,000 x 100", () => {
  let S, page, w;
  let normalRate = 0;                   // optimiser progress (steps/s) without "fast"
  const setup = once(async () => {
    S = await session();
    ({ page, w } = await openPage(S.context, S.url("index.html#view=superposition&sp_n=10000&sp_d=100"),
      { label: "superposition-10k" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it(`keeps drawing while the run goes (${RUN_SECONDS} s measured)`, async () => {
    await setup();
    let before = await page.evaluate(() => window.factlab.superposition());
    assert.equal(before.n, 10000);
    assert.equal(before.d, 100);
    assert.equal(before.error, "", `the run was refused: ${before.error}`);
    assert.ok(before.playing, "the run does not start by itself");
    // Past the statistics of the starting vectors, so both modes are timed on steps.
    await page.waitForFunction(() => window.factlab.superposition().stats_step >= 0, null, { timeout: 120000 });
    before = await page.evaluate(() => window.factlab.superposition());
    // Count frames and the longest gap between them, as the reader would feel them.
    const r = await page.evaluate(countFrames, RUN_SECONDS * 1000);
    const after_ = await page.evaluate(() => window.factlab.superposition());
    const fps = r.frames / r.seconds;
    const stepsPerSecond = (after_.step - before.step) / r.seconds;
    log(`SUPERPOSITION 10000x100 (${after_.loss}, kernel ${after_.kernel}) in headless Chromium: ` +
      `${fps.toFixed(1)} frames/s over ${r.seconds.toFixed(1)} s (p95 frame gap ${r.p95.toFixed(0)} ms, worst ${r.worst.toFixed(0)} ms); ` +
      `lab's own count ${after_.fps_while_running.toFixed(1)} frames/s; ` +
      `optimiser ${after_.step - before.step} steps (${stepsPerSecond.toFixed(2)} steps/s, last step ${after_.last_step_seconds.toFixed(2)} s, ` +
      `${(100 * after_.run_work_ms / Math.max(1, after_.run_wall_ms)).toFixed(0)}% of wall time in the optimiser); ` +
      `machine load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
    assert.ok(r.frames >= 2 * r.seconds, `only ${r.frames} frames in ${r.seconds.toFixed(1)} s: the page froze`);
    assert.ok(after_.run_work_ms > before.run_work_ms, "the optimiser did no work");
    normalRate = (after_.progress - before.progress) / r.seconds;
    await expectNotBlank(page, "superposition-10k");
  });

  it(`"fast" trades frames for optimiser time (${RUN_SECONDS} s measured)`, async () => {
    await setup();
    await page.evaluate(() => window.factlab.setState(window.factlab.getState() + "&sp_fast=1"));
    await page.waitForTimeout(1000);    // let the smoothed meters settle into the new mode
    const before = await page.evaluate(() => window.factlab.superposition());
    const r = await page.evaluate(countFrames, RUN_SECONDS * 1000);
    const after_ = await page.evaluate(() => window.factlab.superposition());
    await page.evaluate(() => window.factlab.setState(window.factlab.getState().replace(/&?sp_fast=1/, "")));
    const rate = (after_.progress - before.progress) / r.seconds;
    const share = (after_.run_work_ms - before.run_work_ms) / Math.max(1, after_.run_wall_ms - before.run_wall_ms);
    log(`SUPERPOSITION fast mode: ${(r.frames / r.seconds).toFixed(1)} frames/s (worst gap ${r.worst.toFixed(0)} ms); ` +
      `optimiser ${rate.toFixed(3)} steps/s against ${normalRate.toFixed(3)} without it ` +
      `(${normalRate > 0 ? (rate / normalRate).toFixed(1) : "?"}x, same run), ${(100 * share).toFixed(0)}% of wall time in the optimiser; ` +
      `3,000 steps (the worst-pair run) would take ${rate > 0 ? (3000 / rate / 3600).toFixed(1) : "?"} h at this step rate`);
    assert.ok(r.frames >= r.seconds / 2, `only ${r.frames} frames in ${r.seconds.toFixed(1)} s: the page froze`);
    assert.ok(after_.progress > before.progress, "the optimiser made no progress");
  });

  it("logged no console errors", async () => {
    await setup();
    expectNoErrors(w, "the superposition page");
  });
});
