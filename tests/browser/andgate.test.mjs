// andgate.test.mjs: the AND gate's numbers you can grab (issue 13) and the
// stand-in neuron of a name with none of its own (issue 14).
//   - the gate opens at the video's numbers (x + y − 1: weights 1, 1, bias −1) with
//     this model's own a click away; those are computed from the model (another seed
//     gives other numbers), and the click draws them;
//   - a mouse drag of the boundary line in the plot moves the bias so that the line
//     passes through the pointer; a sideways drag of the formula's number moves it too;
//   - "Jordan Michael" (first name Jordan, last name Michael: no one) gets the same
//     stand-in in the Neuron inspector as in the AND gate, Michael Jordan's neuron,
//     and the inspector says it is not his own and that it stays silent.
// factlab.andGate() gives what the view drew, in CSS pixels.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, frames, shoot, expectNoErrors, expectNotBlank, parseQuery, log } from "./harness.mjs";

const gate = (page) => page.evaluate(() => window.factlab.andGate());
const state = async (page) => parseQuery(await page.evaluate(() => window.factlab.getState()));
const near = (a, b, eps, what) => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} is not within ${eps} of ${b}`);

// Distance from (px, py) to the segment [x0, y0, x1, y1].
function segDist(px, py, [x0, y0, x1, y1]) {
  const dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / l2)) : 0;
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

async function drag(page, from, to, steps = 8) {
  await page.mouse.move(from[0], from[1]);
  await frames(page, 3);
  await page.mouse.down();
  await frames(page, 3);
  for (let k = 1; k <= steps; ++k) {
    await page.mouse.move(from[0] + (to[0] - from[0]) * k / steps, from[1] + (to[1] - from[1]) * k / steps);
    await frames(page, 2);
  }
  await frames(page, 2);
  await page.mouse.up();
  await frames(page, 4);
}

describe("the AND gate: numbers you can grab", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session({ viewport: { width: 1280, height: 900 } });
    ({ page, w } = await openPage(S.context, S.url("index.html#view=and-gate&subject=Michael%20Jordan"), { label: "andgate" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("opens at the video's numbers, with this model's own computed and a click away", async () => {
    await setup();
    const g = await gate(page);
    log(`gate: numbers ${g.numbers}, ${g.alpha}·x + ${g.beta}·y + ${g.c}; this model's own ${JSON.stringify(g.model)}`);
    assert.equal(g.owner, "Michael Jordan");
    assert.equal(g.numbers, "video");
    assert.deepEqual([g.alpha, g.beta, g.bias, g.c], [1, 1, -1, -1]);
    // This model's own row, about 2(M + J) with its compiled bias near −3 (docs/core.md).
    assert.ok(g.model.alpha > 1.5 && g.model.alpha < 2.3 && g.model.beta > 1.5 && g.model.beta < 2.3, JSON.stringify(g.model));
    assert.ok(g.model.c > -3.6 && g.model.c < -2.4, JSON.stringify(g.model));
    const mj = g.points.find((p) => p.name === "Michael Jordan"), mp = g.points.find((p) => p.name === "Michael Phelps");
    near(mj.pre, mj.x + mj.y - 1, 1e-4, "the video's x + y − 1 for Michael Jordan");
    assert.ok(mj.pre > 0.8 && mp.pre < 0.05, `Michael Jordan ${mj.pre}, Michael Phelps ${mp.pre}`);
    await expectNotBlank(page, "andgate-video");
    await shoot(page, "andgate-video-numbers");

    // The click: the model's own numbers, drawn.
    const b = g.model_button;
    await page.mouse.click((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    await frames(page, 6);
    const m = await gate(page);
    assert.equal(m.numbers, "model");
    assert.equal((await state(page)).gate_numbers, "model");
    near(m.alpha, g.model.alpha, 1e-6, "alpha");
    near(m.beta, g.model.beta, 1e-6, "beta");
    near(m.c, g.model.c, 1e-5, "c");
    near(m.bias, g.model.bias, 1e-6, "the compiled bias");
    const mb = m.points.find((p) => p.name === "Michael B. Jordan");
    assert.ok(mb && mb.pre < 0, `Michael B. Jordan fires with the model's own row: ${JSON.stringify(mb)}`);
    await shoot(page, "andgate-model-numbers");

    // Computed, not typed in: another seed compiles another model, with other numbers.
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=Michael%20Jordan&seed=7"));
    await frames(page, 6);
    const s7 = await gate(page);
    log(`seed 7: this model's own ${JSON.stringify(s7.model)}`);
    assert.notEqual(s7.model.alpha, g.model.alpha);
    assert.notEqual(s7.model.c, g.model.c);
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=Michael%20Jordan"));
    await frames(page, 6);
    assert.equal((await gate(page)).numbers, "video");
  });

  it("dragging the boundary line in the plot moves the bias: the line follows the pointer", async () => {
    await setup();
    const g = await gate(page);
    assert.ok(g.line, "the gate reported no line");
    const [x0, y0, x1, y1] = g.line;
    const from = [x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0)];
    const to = [from[0] + 45, from[1] - 35];              // up and right: a higher bar
    await drag(page, from, to);
    const d = await gate(page);
    log(`line drag: bias ${g.bias} -> ${d.bias}; line ${JSON.stringify(d.line)}`);
    assert.ok(d.bias < g.bias - 0.2, `the bias did not follow the drag: ${g.bias} -> ${d.bias}`);
    near(d.c, d.bias, 1e-6, "the video's row has nothing but the two names");
    const dist = segDist(to[0], to[1], d.line);
    assert.ok(dist < 3, `the line is ${dist.toFixed(1)} px from where it was let go`);
    assert.equal(Number((await state(page)).gate_bias).toFixed(2), d.bias.toFixed(2));
    await shoot(page, "andgate-after-line-drag");
    // A press away from the line does not move it.
    const p = d.plot;
    await drag(page, [p[0] + 12, p[1] + 12], [p[0] + 40, p[1] + 20], 3);
    near((await gate(page)).bias, d.bias, 1e-6, "a drag away from the line");
  });

  it("dragging the formula's bias sideways changes it (Tangle-style)", async () => {
    await setup();
    const g = await gate(page);
    const n = g.number;
    assert.ok(n[2] > n[0], "the formula's number was not drawn");
    const from = [(n[0] + n[2]) / 2, (n[1] + n[3]) / 2];
    await drag(page, from, [from[0] + 80, from[1]]);
    const r = await gate(page);
    log(`number drag: bias ${g.bias} -> ${r.bias}`);
    assert.ok(r.bias > g.bias + 0.3, `a drag of 80 px to the right did not raise the bias: ${g.bias} -> ${r.bias}`);
    await drag(page, [(r.number[0] + r.number[2]) / 2, from[1]], [(r.number[0] + r.number[2]) / 2 - 40, from[1]]);
    const l = await gate(page);
    assert.ok(l.bias < r.bias - 0.1, `a drag to the left did not lower it: ${r.bias} -> ${l.bias}`);
    await shoot(page, "andgate-after-number-drag");
    expectNoErrors(w, "the AND gate");
  });

  it("\"Jordan Michael\": the inspector and the gate show the same stand-in, Michael Jordan's neuron, silent", async () => {
    await setup();
    await page.evaluate(() => window.factlab.setState("view=neurons&subject=Jordan%20Michael"));
    await page.waitForFunction(() => document.getElementById("live-result").textContent.startsWith("Neuron inspector:"), null,
      { timeout: 10000 });
    await page.waitForTimeout(1100);
    const t = await page.evaluate(() => document.getElementById("live-result").textContent);
    log(`inspector: ${t}`);
    assert.match(t, /"Jordan Michael" has no neuron of its own\. Shown: the neuron of Michael Jordan, the same words in other places \(W_up·E \+ b_up = −?-?\d\.\d\d for "Jordan Michael": silent\)/);
    assert.ok(!/Pel/.test(t), t);
    await expectNotBlank(page, "andgate-inspector-jordan-michael");
    await shoot(page, "andgate-inspector-jordan-michael");
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=Jordan%20Michael"));
    await frames(page, 6);
    const g = await gate(page);
    assert.equal(g.owner, "Michael Jordan");
    const jm = g.points.find((p) => p.name === "Jordan Michael");
    assert.ok(jm && jm.pre <= 0, `Jordan Michael on Michael Jordan's gate: ${JSON.stringify(jm)}`);
    // The real name has its own neuron, and it fires.
    await page.evaluate(() => window.factlab.setState("view=neurons&subject=Michael%20Jordan"));
    await page.waitForFunction(() => /^Neuron inspector: neuron \d+ of \d+, the neuron of Michael Jordan/.test(
      document.getElementById("live-result").textContent), null, { timeout: 10000 });
    expectNoErrors(w, "the inspector");
  });
});
