// idle.test.mjs: a page with nothing moving costs (almost) no CPU, and wakes on input.
//
// Chromium's CPU time (all its processes, from /proc) over 10 s of an idle
// `#view=lookup` page and of embed-example.html (four embeds) must stay at or
// under 0.10 of a core. The machine is shared, so a measurement over the bar is
// taken once more before the test fails; both numbers are printed, with the
// browser's own floor (an empty page) for comparison. Then the idle page must
// wake: a hash change, factlab.setState, a click and a resize each draw frames.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, waitReady, frames, expectNoErrors, shoot, log } from "./harness.mjs";
import { measureCpu } from "./cpu.mjs";

const BAR = 0.10;          // cores
const WINDOW_MS = 10000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function idleCores(label, drawn) {
  let m, tries = 0;
  do {
    const f0 = drawn ? await drawn() : 0;
    m = await measureCpu(WINDOW_MS);
    m.frames = drawn ? (await drawn()) - f0 : null;
    log(`${label}: idle ${m.cores.toFixed(3)} cores (${m.cpuS.toFixed(2)} s CPU in ${m.wallS.toFixed(1)} s, ` +
        `${m.processes} Chromium processes${m.frames === null ? "" : `, ${m.frames} frames drawn`})`);
  } while (m.cores > BAR && ++tries < 2);
  return m;
}

describe("idle pages cost nothing", () => {
  let S;
  const setup = once(async () => { S = await session(); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("the browser's own floor (an empty page), for comparison", async () => {
    await setup();
    const page = await S.context.newPage();
    await page.goto(S.url("factlab.css"));
    await sleep(1000);
    const m = await measureCpu(5000);
    log(`empty page: ${m.cores.toFixed(3)} cores`);
    await page.close();
  });

  let P;   // the lookup page, kept open for the wake-up checks
  it("#view=lookup idles at <= 0.10 core", async () => {
    await setup();
    P = await openPage(S.context, S.url("index.html#view=lookup"), { label: "lookup" });
    await sleep(2000);
    const drawn = () => P.page.evaluate(() => window.factlab.framesDrawn ? window.factlab.framesDrawn() : 0);
    const m = await idleCores("#view=lookup", drawn);
    assert.ok(m.cores <= BAR, `the idle lookup page used ${m.cores.toFixed(3)} cores (bar ${BAR})`);
    assert.ok(m.frames <= 10, `the idle lookup page drew ${m.frames} frames in ${WINDOW_MS / 1000} s`);
  });

  it("an idle page wakes for a hash change, setState, a click and a resize", async () => {
    await setup();
    assert.ok(P, "the lookup page did not open");
    const { page } = P;
    const drawn = () => page.evaluate(() => window.factlab.framesDrawn ? window.factlab.framesDrawn() : 0);
    const waitDrawn = async (f0, what) => {
      for (let k = 0; k < 50 && (await drawn()) <= f0; ++k) await sleep(100);
      assert.ok((await drawn()) > f0, `no frame was drawn after ${what}`);
    };
    let f0 = await drawn();
    await page.evaluate(() => { location.hash = "view=lookup&subject=Michael%20Phelps"; });
    await waitDrawn(f0, "a hash change");
    await frames(page, 4);
    assert.match(await page.evaluate(() => window.factlab.getState()), /subject=Michael(%20|\+| )Phelps/);

    await sleep(1500);
    f0 = await drawn();
    await page.evaluate(() => window.factlab.setState("view=lookup&subject=Michael%20Jordan"));
    await waitDrawn(f0, "factlab.setState");

    await sleep(1500);
    f0 = await drawn();
    await page.mouse.click(400, 300);
    await waitDrawn(f0, "a click");

    await sleep(1500);
    f0 = await drawn();
    await page.setViewportSize({ width: 1000, height: 700 });
    await waitDrawn(f0, "a resize");
    await frames(page, 4);
    await sleep(300);
    const size = await page.evaluate(() => [document.getElementById("canvas").width, document.getElementById("canvas").height]);
    assert.deepEqual(size, [1000, 700], "the canvas did not follow the resize");
    await shoot(page, "idle-after-resize");
    expectNoErrors(P.w, "lookup");
  });

  it("embed-example.html (four embeds) idles at <= 0.10 core", async () => {
    await setup();
    const page = await S.context.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(S.url("embed-example.html"), { waitUntil: "load" });
    const ifr = page.locator("iframe");
    const n = await ifr.count();
    for (let i = 0; i < n; ++i) {                 // lazy frames load once scrolled to
      await ifr.nth(i).scrollIntoViewIfNeeded();
      const frame = await (await ifr.nth(i).elementHandle()).contentFrame();
      if (!frame) continue;
      await frame.waitForFunction(() => window.factlab, null, { timeout: 20000 });
      await waitReady(frame);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await sleep(2500);
    const m = await idleCores("embed-example.html", null);
    assert.ok(m.cores <= BAR, `the idle embed example used ${m.cores.toFixed(3)} cores (bar ${BAR})`);
    await page.close();
  });
});
