// context.test.mjs: a lost WebGL context (WEBGL_lose_context) is survived: the
// page says so while it is lost, and after restoreContext the lab draws again
// (non-blank canvas), with no uncaught errors, and the model still answers.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, expectNotBlank, expectNoErrors, frames, log } from "./harness.mjs";

describe("WebGL context loss", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session();
    ({ page, w } = await openPage(S.context, S.url("index.html#view=weights"), { label: "context" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("draws before the loss", async () => { await setup(); await expectNotBlank(page, "context-before"); });

  for (const round of [1, 2]) {
    it(`loseContext -> restoreContext recovers (round ${round})`, async () => {
    await setup();
      const lost = await page.evaluate(async () => {
        const canvas = document.getElementById("canvas");
        const gl = canvas.getContext("webgl2");
        if (!gl) return { error: "canvas.getContext('webgl2') gave nothing: the page's context is not WebGL2" };
        const ext = gl.getExtension("WEBGL_lose_context");
        if (!ext) return { error: "no WEBGL_lose_context" };
        window.__lc = ext;
        const ev = new Promise((res) => canvas.addEventListener("webglcontextlost", () => res(true), { once: true }));
        ext.loseContext();
        await Promise.race([ev, new Promise((res) => setTimeout(res, 3000))]);
        await new Promise((res) => setTimeout(res, 300));     // frames run while lost
        const note = document.getElementById("glnote");
        return { isLost: gl.isContextLost(), note: note && !note.hidden ? note.textContent : null };
      });
      assert.equal(lost.error, undefined, lost.error);
      assert.equal(lost.isLost, true, "the context did not get lost");
      log(`while lost, the page says: ${lost.note}`);
      const restored = await page.evaluate(async () => {
        const canvas = document.getElementById("canvas");
        const ev = new Promise((res) => canvas.addEventListener("webglcontextrestored", () => res(true), { once: true }));
        window.__lc.restoreContext();
        const ok = await Promise.race([ev, new Promise((res) => setTimeout(() => res(false), 5000))]);
        const gl = canvas.getContext("webgl2");
        return { event: ok, isLost: gl.isContextLost() };
      });
      assert.equal(restored.event, true, "no webglcontextrestored event");
      assert.equal(restored.isLost, false);
      await frames(page, 10);
      const note = await page.evaluate(() => { const n = document.getElementById("glnote"); return n && !n.hidden ? n.textContent : null; });
      assert.equal(note, null, `the 'graphics were reset' note stays after the restore: ${note}`);
      await expectNotBlank(page, `context-restored-${round}`);
      const r = await page.evaluate(() => window.factlab.lookup("Michael Jordan"));
      assert.equal(r.answers.sport.object, "basketball");
    });
  }

  it("other views draw after the restore too (shaders and textures recreated)", async () => {
    await setup();
    for (const v of ["and-gate", "sphere", "activations", "lookup"]) {
      await page.evaluate((v) => window.factlab.setState(`view=${v}`), v);
      await frames(page, 8);
      await expectNotBlank(page, `context-restored-view-${v}`);
    }
  });

  it("logged no errors (uncaught exceptions, GL errors reported to the console)", async () => {
    await setup();
    expectNoErrors(w, "context loss");
  });
});
