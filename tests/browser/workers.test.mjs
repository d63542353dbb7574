// workers.test.mjs: the superposition lab's main run in Web Workers (src/worker,
// web/factlab-worker.js) against the page thread's sliced path.
//   - one worker gives the page thread's numbers bit for bit (the vectors' hash),
//     two workers the same up to the order partial gradients are summed in;
//   - with workers disabled (?workers=0, or no Worker at all) the sliced path runs;
//   - while the video's 10,000 x 100 run goes on in workers the page keeps
//     drawing (frame gaps from requestAnimationFrame), and once it is paused the
//     page is idle again (Chromium's CPU from /proc).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { once, session, openPage, expectNoErrors, shoot, log } from "./harness.mjs";
import { measureCpu } from "./cpu.mjs";

const SMALL = "sp_n=700&sp_d=24&sp_steps=40&sp_loss=video&sp_seed=3";
// The smooth loss for K = 2 (the video loss's Adam takes sign-like first steps: a
// coordinate with a near-zero gradient may go either way, as tests/core notes).
const SMOOTH = "sp_n=700&sp_d=24&sp_steps=40&sp_loss=exp&sp_seed=3";

async function runToEnd(S, query, hash, label) {
  const { page, w } = await openPage(S.context, S.url(`index.html?embed=1&view=superposition&${query}#${hash}`), { label });
  await page.waitForFunction(() => { const r = window.factlab.superposition(); return r.error || (r.step >= r.steps && !r.playing); },
    null, { timeout: 240000, polling: 500 });
  const r = await page.evaluate(() => window.factlab.superposition());
  log(`${label}: step ${r.step}, worst ${Number(r.worst_angle_deg).toFixed(6)} deg, workers ${r.workers}, hash ${r.vectors_hash}`);
  assert.equal(r.error, "", `${label}: ${r.error}`);
  expectNoErrors(w, label);
  await page.close();
  return r;
}

const gaps = (ms) => new Promise((resolve) => {
  let frames = 0, worst = 0, last = performance.now();
  const t0 = last;
  function tick(now) {
    ++frames;
    worst = Math.max(worst, now - last);
    last = now;
    if (now - t0 < ms) requestAnimationFrame(tick); else resolve({ frames, seconds: (now - t0) / 1000, worst });
  }
  requestAnimationFrame(tick);
});

describe("Web Workers", () => {
  let S;
  const setup = once(async () => { S = await session(); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  let sliced;
  it("the page thread's sliced path runs with workers disabled (?workers=0)", async () => {
    await setup();
    sliced = await runToEnd(S, "workers=0", SMALL, "workers=0");
    assert.equal(sliced.workers, 0);
    assert.equal(sliced.step, 40);
  });

  it("one worker gives the sliced path's vectors bit for bit", async () => {
    await setup();
    const r = await runToEnd(S, "workers=1", SMALL, "workers=1");
    assert.equal(r.workers, 1, "the run did not use a worker");
    assert.equal(r.vectors_hash, sliced.vectors_hash, "one worker and the page thread disagree");
    assert.equal(r.worst_angle_deg, sliced.worst_angle_deg);
  });

  it("two workers agree with it up to the summation order", async () => {
    await setup();
    const one = await runToEnd(S, "workers=0", SMOOTH, "exp, workers=0");
    const r = await runToEnd(S, "workers=2", SMOOTH, "exp, workers=2");
    assert.equal(r.workers, 2);
    const diff = Math.abs(r.worst_angle_deg - one.worst_angle_deg);
    log(`two workers vs the page thread (exp loss): worst pair differs by ${diff.toExponential(2)} deg`);
    assert.ok(diff < 1e-2, `two workers moved the worst pair by ${diff} deg`);
  });

  it("without any Worker the sliced path runs", async () => {
    await setup();
    const ctx = S.context;
    const page = await ctx.newPage();
    await page.addInitScript(() => { delete window.Worker; });
    const r0 = await openPage(ctx, S.url(`index.html?embed=1&view=superposition#${SMALL}`), { label: "no-Worker", page });
    await page.waitForFunction(() => { const r = window.factlab.superposition(); return r.step >= r.steps && !r.playing; },
      null, { timeout: 240000, polling: 500 });
    const r = await page.evaluate(() => window.factlab.superposition());
    assert.equal(r.workers, 0);
    assert.equal(r.vectors_hash, sliced.vectors_hash);
    expectNoErrors(r0.w, "no-Worker");
    await page.close();
  });

  it("a reply larger than its request expects is refused; the page thread takes over cleanly", async () => {
    await setup();
    const ctx = S.context;
    const page = await ctx.newPage();
    // A worker that answers with 4 kB more than a share's partial.
    await page.addInitScript(() => {
      const W = window.Worker;
      window.Worker = class extends W {
        set onmessage(f) {
          super.onmessage = (e) => f(e.data instanceof ArrayBuffer ? { data: new ArrayBuffer(e.data.byteLength + 4096) } : e);
        }
        get onmessage() { return super.onmessage; }
      };
    });
    const r0 = await openPage(ctx, S.url(`index.html?embed=1&view=superposition&workers=1#${SMALL}`), { label: "big-reply", page });
    await page.waitForFunction(() => { const r = window.factlab.superposition(); return r.error || (r.step >= r.steps && !r.playing); },
      null, { timeout: 240000, polling: 500 });
    const r = await page.evaluate(() => window.factlab.superposition());
    log(`oversized reply: "${r.worker_error}", then ${r.step} steps on the page thread (workers ${r.workers})`);
    assert.match(r.worker_error, /over the \d+ its request expects; refused/);
    assert.equal(r.error, "");
    assert.equal(r.workers, 0);
    assert.equal(r.vectors_hash, sliced.vectors_hash, "the fallback did not give the page thread's numbers");
    await page.close();
  });

  it("the video's run in workers: the page keeps drawing, then idles when paused", async () => {
    await setup();
    const { page, w } = await openPage(S.context, S.url("index.html#view=superposition&sp_n=10000&sp_d=100"), { label: "video-workers" });
    await page.waitForFunction(() => window.factlab.superposition().stats_step >= 0, null, { timeout: 180000, polling: 500 });
    const a = await page.evaluate(() => window.factlab.superposition());
    const f0 = await page.evaluate(() => [window.factlab.framesDrawn(), window.factlab.framesPainted(), window.factlab.worstFrameGap()]);
    const t0 = Date.now();
    const g = await page.evaluate(gaps, 15000);
    const b = await page.evaluate(() => window.factlab.superposition());
    const f1 = await page.evaluate(() => [window.factlab.framesDrawn(), window.factlab.framesPainted(), window.factlab.worstFrameGap()]);
    const perStep = (Date.now() - t0) / 1000 / Math.max(1e-9, b.progress - a.progress);
    // The bar (measured, not asserted: the machine is shared): at most 0.6 s
    // per step while the page draws at least 10 frames/s, no frame gap over 250 ms.
    log(`video's run in ${b.workers} worker(s): ${(g.frames / g.seconds).toFixed(1)} frames/s, ` +
        `worst frame gap ${g.worst.toFixed(0)} ms, ${perStep.toFixed(2)} s per step (steps ${a.step} -> ${b.step}), ` +
        `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; the lab ran ` +
        `${((f1[0] - f0[0]) / g.seconds).toFixed(1)} frames/s (worst gap ${f1[2].toFixed(0)} ms) and painted ` +
        `${((f1[1] - f0[1]) / g.seconds).toFixed(1)} (a frame with the same picture is not painted) ` +
        `(bar: <= 0.6 s per step, >= 10 frames/s, gaps <= 250 ms)`);
    await shoot(page, "workers-video-run");
    // Frames with the same picture are not painted, yet the canvas keeps up: the
    // progress bar's picture changes while steps go by.
    const pic0 = await page.screenshot();
    const s0 = (await page.evaluate(() => window.factlab.superposition())).step;
    await page.waitForFunction((s) => window.factlab.superposition().step >= s + 2, s0, { timeout: 60000, polling: 200 });
    await new Promise((r) => setTimeout(r, 300));
    const pic1 = await page.screenshot();
    assert.ok(!pic0.equals(pic1), "the canvas did not change while the run made two steps");
    assert.ok(f1[1] - f0[1] < f1[0] - f0[0], "every frame was painted: nothing was skipped");
    assert.ok(f1[1] - f0[1] >= 2, "no frame was painted during the run");
    assert.ok(b.workers >= 1, "the run did not use workers");
    assert.ok(b.step > a.step, "the run made no step in 15 s");
    // The page thread never holds a step: its frame gaps stay far below a step's time
    // (the sliced path's bound too, but here the step runs elsewhere). Loose, as the
    // machine is shared; the numbers printed above are the measurement.
    assert.ok(g.frames >= 10, `only ${g.frames} frames in 15 s`);
    assert.ok(f1[0] - f0[0] >= 30, `the lab ran only ${f1[0] - f0[0]} frames in 15 s`);
    assert.ok(f1[2] < Math.max(1500, 500 * perStep), `a gap of ${f1[2].toFixed(0)} ms between the lab's frames`);
    assert.ok(g.worst < Math.max(1500, 500 * perStep), `a frame gap of ${g.worst.toFixed(0)} ms (${perStep.toFixed(2)} s per step)`);
    // Pause (the lab's own control, through the link state: a reset to a paused run).
    await page.evaluate(() => window.factlab.setState("view=lookup"));
    await new Promise((r) => setTimeout(r, 3000));
    const m = await measureCpu(8000);
    log(`after the run (lookup view): ${m.cores.toFixed(3)} cores`);
    assert.ok(m.cores <= 0.15, `the page stayed busy after the run: ${m.cores.toFixed(3)} cores`);
    expectNoErrors(w, "video-workers");
    await page.close();
  });
});
