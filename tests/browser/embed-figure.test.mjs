// embed-figure.test.mjs: embeds as figures (docs/embed.md, src/ui/common/figure.hpp).
//   - a host page with 640 × 400 iframes and the documented fitting snippet hears
//     factlab:size and fits each iframe: nothing scrolls inside it (the DOM's
//     scrollHeight <= clientHeight, and the figure's own scroll range is 0), and no
//     list or panel inside the view hides content (factlab.figure().clipped == 0);
//   - bg= and text= are validated: hostile values give a message and the defaults,
//     never a crash; good values take effect (font size, transparent background);
//   - the video's superposition run embeds at its finished state (the shipped
//     snapshot), and Replay runs it live;
//   - screenshots of figures at 640 × 400 in both themes (artifacts/browser/figure-*).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, watch, waitReady, frames, expectNotBlank, expectNoErrors, shoot, log } from "./harness.mjs";
import { imageStats } from "./png.mjs";

// The views whose content is longest or holds lists (near misses, answers, neurons, tokens).
const VIEWS = [
  ["lookup", "#subject=Michael%20Jordan", true],
  ["and-gate", "#subject=Michael%20Jordan", false],
  ["and-gate", "#subject=Michael%20Jordan", true],
  ["block", "#subject=Michael%20Jordan", false],
  ["neurons", "#subject=Michael%20Jordan", false],
  ["ablation", "", false],
  ["edit", "", false],
  ["worst-pair", "#sp_n=10000&sp_d=100&sp_loss=video&sp_steps=250", false],
  ["prompt", "#tf_prompt=Michael%20Jordan%20played%20for%20the", false],
  ["trace", "#tf_prompt=Michael%20Jordan%20played%20for%20the", false],
];

// A host page with the documented fitting snippet. Figures are added one at a
// time (addFrame), each a 640 x 400 iframe, so they do not all load at once.
function hostPage(frames_, bodyBg) {
  const first = frames_.map(([view, hash, controls], i) =>
    `<iframe id="f${i}" width="640" height="400" style="border:0;display:block;width:640px;height:400px"
       src="${frameSrc(view, hash, controls)}"></iframe>`).join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<style>body{margin:0;padding:20px;background:${bodyBg}}</style></head><body>
${first}
<script>
  window.__sizes = [];
  window.addFrame = (id, src) => {
    const f = document.createElement("iframe");
    f.id = id; f.src = src; f.width = 640; f.height = 400;
    f.style.cssText = "border:0;display:block;width:640px;height:400px";
    document.body.appendChild(f);
  };
  // The snippet of docs/embed.md.
  addEventListener("message", (e) => {
    const m = e.data;
    if (!m || m.type !== "factlab:size" || !Number.isFinite(m.height)) return;
    for (const f of document.querySelectorAll("iframe"))
      if (f.contentWindow === e.source) {
        f.style.height = Math.min(4000, Math.max(120, Math.ceil(m.height))) + "px";
        window.__sizes.push({ id: f.id, height: m.height, width: m.width });
      }
  });
</script></body></html>`;
}
function frameSrc(view, hash, controls) {
  return `index.html?embed=1&view=${view}${controls ? "" : "&controls=0"}&bg=transparent${hash}`;
}

async function frameOf(page, sel) {
  const handle = await page.locator(sel).elementHandle();
  let frame = null;
  for (let k = 0; k < 100 && !(frame = await handle.contentFrame()); ++k) await new Promise((r) => setTimeout(r, 100));
  assert.ok(frame, `${sel} has no frame`);
  await frame.waitForFunction(() => window.factlab, null, { timeout: 30000 });
  await waitReady(frame);
  return frame;
}

describe("figure embeds", () => {
  let S;
  const setup = once(async () => { S = await session({ viewport: { width: 700, height: 900 } }); });
  after(async () => { await setup.value(); if (S) await S.close(); });

  for (const theme of ["light", "dark"]) {
    it(`factlab:size reaches the host and each 640 × 400 iframe fits: no inner scrollbar, no clipped list (${theme})`, async () => {
      await setup();
      const page = await S.context.newPage();
      await page.emulateMedia({ colorScheme: theme });
      const w = watch(page, `figure-host-${theme}`);
      const url = S.url(`__figure_host_${theme}.html`);
      await S.context.route(url, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8",
        body: hostPage([], theme === "dark" ? "#141619" : "#fdfcfa") }));
      await page.goto(url, { waitUntil: "load" });
      try {
        for (let i = 0; i < VIEWS.length; ++i) {
          const [view, hash, controls] = VIEWS[i];
          const label = `${view}${controls ? "" : " controls=0"}`;
          await page.evaluate(([id, src]) => { document.querySelectorAll("iframe").forEach((f) => f.remove()); window.addFrame(id, src); },
            [`f${i}`, frameSrc(view, hash, controls)]);
          const el = page.locator(`#f${i}`);
          const frame = await frameOf(page, `#f${i}`);
          // The host heard factlab:size for this frame and set its height.
          await page.waitForFunction((id) => window.__sizes.some((s) => s.id === id), `f${i}`, { timeout: 30000 });
          // A view that is still computing (the edit's sliced evaluation) grows as its results
          // arrive, and each growth is a new factlab:size: wait (up to 20 s) until the iframe
          // has caught up with the figure, then check everything at that moment.
          let fig = null, last = null, box = null;
          for (const t0 = Date.now(); Date.now() - t0 < 20000;) {
            await frames(frame, 10);
            fig = await frame.evaluate(() => window.factlab.figure());
            assert.ok(fig, `${label}: factlab.figure() is null in a figure embed`);
            last = await page.evaluate((id) => window.__sizes.filter((s) => s.id === id).pop(), `f${i}`);
            box = await el.boundingBox();
            if (Math.abs(box.height - Math.ceil(fig.height)) <= 1) break;
          }
          log(`${label} (${theme}): reported ${last.height} x ${last.width} CSS px, iframe now ${box.width} x ${box.height}, ` +
              `figure ${JSON.stringify(fig)}`);
          assert.equal(last.width, 640, `${label}: factlab:size width ${last.width}, the iframe is 640 wide`);
          assert.ok(Math.abs(box.height - Math.ceil(fig.height)) <= 1, `${label}: the iframe is ${box.height} px tall, the figure ${fig.height}`);
          // Nothing scrolls inside the iframe: neither the document nor the figure.
          const dom = await frame.evaluate(() => ({ sh: document.documentElement.scrollHeight, ch: document.documentElement.clientHeight }));
          assert.ok(dom.sh <= dom.ch, `${label}: the iframe's document scrolls (${dom.sh} > ${dom.ch})`);
          assert.equal(fig.scrollMax, 0, `${label}: the figure scrolls inside its iframe (scroll range ${fig.scrollMax} px)`);
          assert.equal(fig.clipped, 0, `${label}: ${fig.clipped} list(s) or panel(s) inside the view hide content`);
          assert.equal(fig.background, "transparent");
          // The link sits in the footer strip, below the figure's content.
          const link = await frame.evaluate(() => {
            const a = document.getElementById("open-full"); const r = a.getBoundingClientRect();
            return { hidden: a.hidden, top: r.top, bottom: r.bottom, h: innerHeight };
          });
          assert.equal(link.hidden, false, `${label}: no "open in factlab" link`);
          assert.ok(link.top >= link.h - fig.footer - 1, `${label}: the link (top ${link.top}) is above the footer strip (${link.h - fig.footer})`);
          const shot = await shoot(el, `figure-${theme}-${i}-${view}${controls ? "" : "-plot"}`);
          const st = shot.stats;
          assert.ok(st, `${label}: no screenshot`);
        }
        expectNoErrors(w, `figure host (${theme})`);
      } finally { await page.close(); }
    });
  }

  it("bg=transparent shows the host's background through the figure", async () => {
    await setup();
    const page = await S.context.newPage();
    const url = S.url("__figure_red.html");
    await S.context.route(url, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8",
      body: hostPage([["params", "", false]], "#ff0000") }));
    await page.goto(url, { waitUntil: "load" });
    try {
      const frame = await frameOf(page, "#f0");
      await frames(frame, 8);
      const shot = await shoot(page.locator("#f0"), "figure-transparent-on-red");
      // The figure's margins show the host's red: count strongly red pixels.
      const { data, width, height } = shot.img;
      let red = 0;
      for (let p = 0; p < width * height; ++p) {
        const r = data[p * 4], g = data[p * 4 + 1], b = data[p * 4 + 2];
        if (r > 200 && g < 60 && b < 60) ++red;
      }
      log(`transparent figure on red: ${(100 * red / (width * height)).toFixed(1)}% red pixels`);
      assert.ok(red > width * height * 0.3, `only ${red} of ${width * height} pixels show the host's red background`);
    } finally { await page.close(); }
  });

  it("bg and text: hostile values give a message and the defaults, good ones take effect", async () => {
    await setup();
    const cases = [
      { q: "bg=%3Cscript%3Ealert(1)%3C/script%3E&text=big", bg: "", font: 16, msgs: ["is not a colour", "is not a size"] },
      { q: "bg=url(javascript:x)&text=1e999", bg: "", font: 16, msgs: ["is not a colour", "is not a size"] },
      { q: "bg=red&text=99", bg: "", font: 28, msgs: ["is not a colour", "using 28"] },
      { q: "bg=%23fdfcfa&text=5", bg: "#fdfcfa", font: 13, msgs: ["using 13"] },
      { q: "bg=141619&text=24", bg: "#141619", font: 24, msgs: [] },
      { q: "bg=" + "f".repeat(300) + "&text=" + "9".repeat(250), bg: "", font: 28, msgs: ["ignored bad value for 'bg'", "using 28"] },
    ];
    for (const c of cases) {
      const { page, w } = await openPage(S.context, S.url(`index.html?embed=1&view=lookup&${c.q}#subject=Michael%20Jordan`),
        { label: `figure-params ${c.q.slice(0, 40)}` });
      await page.setViewportSize({ width: 640, height: 400 });
      try {
        await frames(page, 8);
        const r = await page.evaluate(() => ({ fig: window.factlab.figure(), font: Module._factlab_font_px() / devicePixelRatio,
          msgs: window.factlab.messages().map((m) => m.text), css: getComputedStyle(document.documentElement).backgroundColor }));
        log(`${c.q.slice(0, 60)}: font ${r.font}px, background '${r.fig && r.fig.background}', css ${r.css}, messages ${JSON.stringify(r.msgs)}`);
        assert.ok(r.fig, "no figure report");
        assert.equal(r.fig.background, c.bg);
        assert.equal(r.font, c.font, `text size ${r.font} px, expected ${c.font}`);
        for (const m of c.msgs) assert.ok(r.msgs.some((t) => t.includes(m)), `no message containing '${m}': ${JSON.stringify(r.msgs)}`);
        if (!c.msgs.length) assert.equal(r.msgs.filter((t) => /colour|size|px/.test(t)).length, 0, `unexpected messages ${r.msgs}`);
        for (const t of r.msgs) assert.ok(!/[<>]/.test(t), `a message quotes markup: ${t}`);
        await expectNotBlank(page, `figure-params-${c.font}-${c.bg.replace("#", "") || "default"}`);
        expectNoErrors(w, c.q);
      } finally { await page.close(); }
    }
  });

  it("the video's run embeds finished (the shipped snapshot); Replay runs it live", async () => {
    await setup();
    const { page, w } = await openPage(S.context,
      S.url("index.html?embed=1&view=worst-pair&controls=0#sp_n=10000&sp_d=100&sp_loss=video&sp_steps=250"), { label: "snapshot" });
    await page.setViewportSize({ width: 640, height: 600 });
    try {
      await frames(page, 8);
      const before = await page.evaluate(() => window.factlab.superposition());
      log(`snapshot: ${JSON.stringify(before.snapshot)}; live run: step ${before.step}, playing ${before.playing}`);
      assert.ok(before.snapshot, "the embed does not show the finished run");
      assert.equal(before.snapshot.step, 250, "the snapshot is not the finished run");
      assert.ok(before.snapshot.worst_points >= 20, `the worst-pair curve has ${before.snapshot.worst_points} points`);
      assert.ok(before.snapshot.worst_angle_deg > 0 && before.snapshot.worst_angle_deg < 81.95,
        `the worst pair ${before.snapshot.worst_angle_deg}° is not below the Levenshtein limit (81.95°)`);
      assert.equal(before.playing, false, "the live run started although the finished run is shown");
      assert.equal(before.step, 0);
      await expectNotBlank(page, "figure-snapshot-finished");
      // Press Replay where it was drawn.
      const [x, y, bw, bh] = before.snapshot.replay;
      const dpr = await page.evaluate(() => devicePixelRatio);
      assert.ok(bw > 0 && bh > 0, "Replay was not drawn");
      await page.mouse.click((x + bw / 2) / dpr, (y + bh / 2) / dpr);
      await frames(page, 4);
      const after_ = await page.evaluate(() => window.factlab.superposition());
      assert.equal(after_.snapshot, null, "after Replay the embed still shows the snapshot");
      assert.equal(after_.playing, true, "Replay did not start the run");
      assert.equal(after_.n, 10000);
      // The live run makes progress (a step of 10,000 x 100 takes seconds here).
      await page.waitForFunction(() => window.factlab.superposition().progress > 0, null, { timeout: 120000, polling: 500 });
      const run = await page.evaluate(() => window.factlab.superposition());
      log(`after Replay: progress ${run.progress.toFixed(3)} steps, stats step ${run.stats_step}, workers ${run.workers}`);
      await expectNotBlank(page, "figure-snapshot-replaying");
      expectNoErrors(w, "snapshot embed");
    } finally { await page.close(); }
  });
});
