// browser-gpt-train.mjs: time the train view (issue 14) in the page, in headless
// Chromium: a fresh transformer on the built-in facts (the recipe's 400 steps) and
// on tests/data/athletes100.csv (100 facts), in a Web Worker (or --workers 0: the
// page thread). Prints wall time, work time, accuracy, the frame gaps the page kept,
// and whether the built-in run reproduced the shipped model's weights bit for bit.
// Measures; asserts nothing.
//
//   node bench/browser-gpt-train.mjs                 # both sets, in a worker
//   node bench/browser-gpt-train.mjs --workers 0     # on the page thread
//   node bench/browser-gpt-train.mjs --only builtin  # or --only 100
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { session, openPage, shoot, log, ROOT } from "../tests/browser/harness.mjs";

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const workers = arg("--workers", "1"), only = arg("--only", "");
const csv = fs.readFileSync(path.join(ROOT, "tests/data/athletes100.csv"), "utf8");

const S = await session();
const out = [];
try {
  for (const set of ["builtin", "100"]) {
    if (only && only !== set) continue;
    const { page } = await openPage(S.context, S.url(`index.html?workers=${workers}#view=train`), { label: `train-${set}` });
    if (set === "100") {
      const r = await page.evaluate((t) => window.factlab.loadFacts("athletes100.csv", t), csv);
      log(`loaded athletes100.csv: ${JSON.stringify(r).slice(0, 200)}`);
    }
    const t0 = Date.now();
    await page.evaluate(() => window.factlab.setState(window.factlab.getState() + "&tf_train=1"));
    // Frame gaps over the whole run, sampled by requestAnimationFrame in the page.
    await page.evaluate(() => {
      window.__gaps = { frames: 0, worst: 0, last: performance.now() };
      const tick = (now) => { const g = window.__gaps; ++g.frames; g.worst = Math.max(g.worst, now - g.last); g.last = now; if (!g.stop) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    let last = 0;
    for (;;) {
      await page.waitForTimeout(2000);
      const j = await page.evaluate(() => window.factlab.jobs().gpt_train);
      if (j.steps_done >= last + 100) { last = j.steps_done; log(`${set}: step ${j.steps_done}/${j.steps_total}, ${((Date.now() - t0) / 1000).toFixed(0)} s`); }
      if (j.done || j.error) break;
    }
    const wall = (Date.now() - t0) / 1000;
    const g = await page.evaluate(() => { window.__gaps.stop = true; return window.__gaps; });
    const j = await page.evaluate(() => window.factlab.jobs().gpt_train);
    await shoot(page, `browser-gpt-train-${set}`);
    const row = { set, where: j.where, steps: j.steps_done, prompts: j.train_prompts, held_out_prompts: j.held_prompts,
      wall_seconds: wall, work_seconds: j.work_ms / 1000, accuracy: j.accuracy, held_out_accuracy: j.held_out_accuracy,
      frames_per_second: g.frames / wall, worst_frame_gap_ms: g.worst, weights_hash: j.weights_hash,
      builtin_hash: j.builtin_weights_hash, equals_builtin: j.weights_hash === j.builtin_weights_hash,
      error: j.error, load: os.loadavg()[0] };
    log(JSON.stringify(row));
    out.push(row);
    await page.close();
  }
} finally {
  await S.close();
}
console.log(JSON.stringify(out));
