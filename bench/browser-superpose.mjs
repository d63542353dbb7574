// browser-superpose.mjs: time a whole superposition run in the page, in headless
// Chromium, as a reader would run it (the lab's own sliced loop, with "fast" on
// unless --no-fast). Prints progress every minute and, at the end, the run's time,
// its worst pair and the frame rate the page kept. Measures; asserts nothing.
//
//   node bench/browser-superpose.mjs                      # worst-pair loss, 10,000 x 100, 3,000 steps
//   node bench/browser-superpose.mjs --n 2000 --steps 100 --loss video --no-fast
//   node bench/browser-superpose.mjs --minutes 3           # the rate over 3 minutes, and the
//                                                          # whole run's time projected from it
//   node bench/browser-superpose.mjs --workers 2           # ?workers=2 (0: the page thread only)
//   node bench/browser-superpose.mjs --loss video --steps 250 --compare-workers --seconds 60
//        # the rate with 1 and then 2 workers, one after the other in one browser:
//        # prints the speed-up and the per-core efficiency (speed-up / workers)
//
// Needs the built site (./build-wasm.sh) and Debian's chromium (scripts/deps.sh web).
// The 10,000 x 100 worst-pair run takes about an hour on a quiet 2-core machine.
import os from "node:os";
import { session, openPage, shoot, log } from "../tests/browser/harness.mjs";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const n = Number(arg("--n", 10000)), d = Number(arg("--d", 100)), steps = Number(arg("--steps", 3000));
const loss = arg("--loss", "exp"), seed = Number(arg("--seed", 1));
const fast = !process.argv.includes("--no-fast");
const minutes = Number(arg("--minutes", 0));   // 0: to the end
const workers = arg("--workers", null);

// --compare-workers: steps per second with 1 and with 2 workers, `--seconds` each.
if (process.argv.includes("--compare-workers")) {
  const seconds = Number(arg("--seconds", 60));
  const S = await session();
  const rates = {};
  try {
    for (const w of [1, 2]) {
      const hash = `view=superposition&sp_n=${n}&sp_d=${d}&sp_loss=${loss}&sp_steps=${steps}&sp_seed=${seed}`;
      const { page } = await openPage(S.context, S.url(`index.html?workers=${w}#${hash}`), { label: `workers-${w}` });
      await page.waitForFunction(() => window.factlab.superposition().step >= 1, null, { timeout: 600000, polling: 250 });
      const a = await page.evaluate(() => window.factlab.superposition()), t0 = Date.now();
      await page.waitForTimeout(seconds * 1000);
      const b = await page.evaluate(() => window.factlab.superposition());
      const dt = (Date.now() - t0) / 1000, ds = b.progress - a.progress;
      rates[w] = ds / dt;
      log(`${w} worker(s): ${ds} steps in ${dt.toFixed(1)} s: ${(dt / Math.max(ds, 1e-9)).toFixed(3)} s per step, ` +
        `${b.fps_while_running.toFixed(1)} frames/s, load ${os.loadavg()[0].toFixed(1)}`);
      if (w === 2) await shoot(page, "browser-superpose-2-workers");
      await page.close();
    }
  } finally {
    await S.close();
  }
  const speedup = rates[2] / rates[1];
  console.log(JSON.stringify({ n, d, loss, seconds, steps_per_second: rates, seconds_per_step:
    { 1: 1 / rates[1], 2: 1 / rates[2] }, speedup_2_vs_1: speedup, efficiency_per_worker: { 1: 1, 2: speedup / 2 },
    cpus: os.cpus().length, load: os.loadavg()[0] }));
  process.exit(0);
}

const S = await session();
try {
  const hash = `view=superposition&sp_n=${n}&sp_d=${d}&sp_loss=${loss}&sp_steps=${steps}&sp_seed=${seed}` +
    (fast ? "&sp_fast=1" : "");
  const query = workers === null ? "" : `?workers=${Number(workers)}`;
  const t0 = Date.now();                // from opening the link: load, first frame and the run
  const { page } = await openPage(S.context, S.url(`index.html${query}#${hash}`), { label: "browser-superpose" });
  // The rate is timed from the first step on (past the starting vectors' statistics).
  await page.waitForFunction(() => window.factlab.superposition().stats_step >= 0, null, { timeout: 600000 });
  const first = await page.evaluate(() => window.factlab.superposition());
  const t1 = Date.now();
  let last = 0, r;
  for (;;) {
    r = await page.evaluate(() => window.factlab.superposition());
    if (r.error) throw new Error(`the run stopped: ${r.error}`);
    const finished = r.step >= r.steps && r.stats_step === r.steps;
    const outOfTime = minutes > 0 && Date.now() - t1 >= minutes * 60000;
    if (finished || outOfTime || Date.now() - last >= 60000) {
      last = Date.now();
      const min = (Date.now() - t0) / 60000;
      log(`${min.toFixed(1)} min: step ${r.step}/${r.steps}, worst pair ${Number(r.worst_angle_deg).toFixed(3)} deg ` +
        `(at step ${r.stats_step}), ${r.fps_while_running.toFixed(1)} frames/s, load ${os.loadavg()[0].toFixed(1)}`);
    }
    if (finished || outOfTime) break;
    await page.waitForTimeout(2000);
  }
  const rateSteps = r.progress - first.progress, rateSeconds = (Date.now() - t1) / 1000;
  const perStep = rateSteps > 0 ? rateSeconds / rateSteps : null;
  const seconds = (Date.now() - t0) / 1000;
  await shoot(page, "browser-superpose-done");
  console.log(JSON.stringify({
    n: r.n, d: r.d, loss: r.loss, steps: r.steps, fast, finished: r.step >= r.steps, step: r.step, seconds,
    measured_steps: rateSteps, measured_seconds: rateSeconds, seconds_per_step: perStep,
    projected_run_seconds: perStep ? perStep * r.steps : null, lab_run_seconds: r.run_wall_ms / 1000,
    worst_angle_deg: r.worst_angle_deg, worst_abs_cos: r.worst_abs_cos, fps_while_running: r.fps_while_running,
    optimiser_share: r.run_work_ms / Math.max(1, r.run_wall_ms), kernel: r.kernel, cpus: os.cpus().length,
    workers: r.workers,
  }));
} finally {
  await S.close();
}
