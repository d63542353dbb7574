// look-shots.mjs: screenshots of the main screens in both themes at 1280 × 800
// and 390 × 844, for looking at (issue 13: before and after). Not a test.
//   FACTLAB_SITE=build-wasm/site node tests/browser/look-shots.mjs PREFIX
// Writes artifacts/browser/PREFIX-SCREEN-THEME-WxH.png.
import { session, openPage, frames, shoot, log } from "./harness.mjs";

const prefix = process.argv[2] || "look";
const screens = [
  ["first", ""],
  ["facts", "view=lookup&subject=Michael%20Jordan"],
  ["and-gate", "view=and-gate&subject=Michael%20Jordan"],
  ["superposition", "view=superposition"],
  ["capacity", "view=capacity"],
  ["present", "present=1&view=and-gate&subject=Michael%20Jordan"],
  ["present-superposition", "present=1&view=superposition"],
];
for (const [w, h] of [[1280, 800], [390, 844]]) {
  const S = await session({ viewport: { width: w, height: h } });
  try {
    const page = await S.context.newPage();
    for (const theme of ["light", "dark"]) {
      for (const [name, q] of screens) {
        await page.goto("about:blank");
        await openPage(S.context, S.url(`index.html#${q}${q ? "&" : ""}theme=${theme}`), { page, settle: 30 });
        await frames(page, 30);
        const s = await shoot(page, `${prefix}-${name}-${theme}-${w}x${h}`);
        log(s.file);
      }
    }
  } finally {
    await S.close();
  }
}
