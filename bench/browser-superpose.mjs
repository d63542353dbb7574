// browser-superpose.mjs: time a whole superposition run in the page, in headless
// Chromium, as a reader would run it (the lab's own sliced loop, with "fast" on
// unless --no-fast). Prints progress every minute and, at the end, the run's time,
// its worst pair and the frame rate the page kept. Measures; asserts nothing.
//
//   node bench/browser-superpose.mjs                      # worst-pair loss, 10,000 x 100, 3,000 steps
//   node bench/browser-superpose.mjs --n 2000 --steps 100 --loss video --no-fast
//   node bench/browser-superpose.mjs --minutes 3           # the rate over 3 minutes, and the
//                                                          # whole run's time projected from it
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

const S = await session();
try {
  const hash = `view=superposition&sp_n=${n}&sp_d=${d}&sp_loss=${loss}&sp_steps=${steps}&sp_seed=${seed}` +
    (fast ? "&sp_fast=1" : "");
  const t0 = Date.now();                // from opening the link: load, first frame and the run
  const { page } = await openPage(S.context, S.url(`index.html#${hash}`), { label: "browser-superpose" });
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
  }));
} finally {
  await S.close();
}
