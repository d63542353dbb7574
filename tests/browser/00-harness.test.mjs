// 00-harness.test.mjs: the tests of the test tools themselves. The PNG decoder
// must read what Chromium writes, and the non-blank rule must reject a blank or
// uniform canvas, or every "not blank" check below would prove nothing.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { decodePng, encodePng, imageStats, blankReason } from "./png.mjs";
import { launch, shoot } from "./harness.mjs";

function image(width, height, fn) {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; ++y)
    for (let x = 0; x < width; ++x) {
      const [r, g, b, a = 255] = fn(x, y);
      data.set([r, g, b, a], (y * width + x) * 4);
    }
  return { width, height, data };
}

describe("png decoder", () => {
  it("round-trips every filter type, RGB and RGBA", () => {
    const img = image(37, 23, (x, y) => [(x * 7 + y * 3) & 255, (x * y) & 255, (255 - x * 5) & 255, (x + y * 11) & 255]);
    for (const colour of [2, 6])
      for (const filter of [0, 1, 2, 3, 4, (y) => y % 5]) {
        const back = decodePng(encodePng(img, { colour, filter }));
        assert.equal(back.width, 37);
        assert.equal(back.height, 23);
        for (let i = 0; i < img.data.length; i += 4) {
          assert.equal(back.data[i], img.data[i]);
          assert.equal(back.data[i + 1], img.data[i + 1]);
          assert.equal(back.data[i + 2], img.data[i + 2]);
          assert.equal(back.data[i + 3], colour === 6 ? img.data[i + 3] : 255);
        }
      }
  });
  it("rejects what is not a PNG", () => {
    assert.throws(() => decodePng(Buffer.from("GIF89a....")), /not a PNG/);
  });
});

describe("non-blank rule", () => {
  it("rejects a uniform picture", () => {
    assert.match(blankReason(imageStats(image(200, 100, () => [30, 30, 30]))), /distinct colours/);
  });
  it("rejects a background with one thin line of many colours", () => {
    const img = image(200, 100, (x, y) => (y === 50 ? [x, 255 - x, 128] : [0, 0, 0]));
    assert.notEqual(blankReason(imageStats(img)), null);
  });
  it("rejects a small spinner in a corner", () => {
    const img = image(400, 300, (x, y) => (x < 30 && y < 30 ? [x * 8, y * 8, 200] : [20, 20, 24]));
    assert.notEqual(blankReason(imageStats(img)), null);
  });
  it("rejects empty panels with one line of text (a view with nothing drawn)", () => {
    const img = image(400, 300, (x, y) => {
      if (y >= 10 && y < 22 && x >= 10 && x < 300 && (x * 7 + y * 3) % 5 < 2) return [20 + (x % 40), 20, 30];   // "text"
      if (x > 5 && x < 395 && y > 5 && y < 295) return [255, 255, 255];                              // panel
      return [245, 245, 247];                                                                        // page
    });
    assert.notEqual(blankReason(imageStats(img)), null);
  });
  it("accepts a picture with panels and text-like detail", () => {
    const img = image(300, 200, (x, y) => ((x % 50 < 40 && y % 20 < 12) ? [(x * 5) & 255, (y * 9) & 255, ((x ^ y) * 3) & 255] : [15, 15, 20]));
    assert.equal(blankReason(imageStats(img)), null);
  });
  it("measures a box inside the picture", () => {
    const img = image(100, 100, (x, y) => (x >= 50 ? [(x * 5) & 255, (y * 7) & 255, (x * y) & 255] : [0, 0, 0]));
    assert.notEqual(blankReason(imageStats(img, { x: 0, y: 0, w: 50, h: 100 })), null);
    assert.equal(blankReason(imageStats(img, { x: 50, y: 0, w: 50, h: 100 })), null);
  });
});

describe("chromium screenshots decode", () => {
  let b;
  before(async () => { b = await launch(); });
  after(async () => { if (b) await b.close(); });

  it("reads back the colours a page drew, and a blank canvas fails the rule", async () => {
    const page = await b.context.newPage();
    await page.setContent(`<body style="margin:0;background:#fff">
      <div style="position:absolute;left:0;top:0;width:64px;height:32px;background:rgb(255,0,0)"></div>
      <div style="position:absolute;left:64px;top:0;width:64px;height:32px;background:rgb(0,0,255)"></div>
      <canvas id="blank" width="200" height="120" style="position:absolute;left:0;top:40px"></canvas>
      <canvas id="gl" width="200" height="120" style="position:absolute;left:220px;top:40px"></canvas></body>`);
    const { img } = await shoot(page, "harness-selftest", { clip: { x: 0, y: 0, width: 128, height: 32 } });
    const px = (x, y) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));
    assert.deepEqual(px(10, 10), [255, 0, 0]);
    assert.deepEqual(px(100, 20), [0, 0, 255]);
    // A WebGL2 canvas cleared to one colour (SwiftShader) and an untouched 2-D canvas: both blank.
    const glOk = await page.evaluate(() => {
      const gl = document.getElementById("gl").getContext("webgl2");
      if (!gl) return false;
      gl.clearColor(0.1, 0.2, 0.3, 1); gl.clear(gl.COLOR_BUFFER_BIT);
      return true;
    });
    assert.ok(glOk, "headless chromium gives no WebGL2 context: check the SwiftShader flags");
    for (const id of ["blank", "gl"]) {
      const s = await shoot(page.locator(`#${id}`), `harness-selftest-${id}`);
      assert.notEqual(blankReason(s.stats), null, `#${id} should count as blank`);
    }
    await page.close();
  });
});
