// views.test.mjs: every registered view renders non-blank in the full page
// (#view=NAME) and alone in embed mode (?embed=1&view=NAME&controls=0), with no
// console errors; a screenshot of each is kept in artifacts/browser/.
// Views the issues ask for that the page does not register yet are skipped
// with a loud message (they are listed in the summary line).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { session, openPage, expectNotBlank, expectNoErrors, registeredViews, EXPECTED_VIEWS, loud, log, parseQuery, shoot } from "./harness.mjs";

const EMBED_SIZE = { width: 760, height: 440 };   // a typical blog iframe
const fullShots = new Map();                       // view id -> sha1 of its full-page canvas

// The view list decides which tests exist, so it is read before they are
// declared; if that fails, every expected view is tested (and fails) instead.
let S = null, probeError = null;
let views = [];
try {
  S = await session();
  const { page } = await openPage(S.context, S.url("index.html"), { label: "views-probe" });
  const r = await registeredViews(page);
  views = r.ids;
  log(`registered views (${r.source}): ${views.join(", ")}`);
  await page.close();
} catch (e) {
  probeError = e;
  views = [...EXPECTED_VIEWS];
  log(`could not read the registered views: ${e.message}`);
}
const missing = EXPECTED_VIEWS.filter((v) => !views.includes(v));
const extra = views.filter((v) => !EXPECTED_VIEWS.includes(v));
if (missing.length) loud(`VIEWS NOT REGISTERED YET (skipped): ${missing.join(", ")}`);
if (extra.length) log(`views beyond the issues' list (tested too): ${extra.join(", ")}`);

async function fresh(url, label, viewport) {
  if (probeError) throw probeError;
  const page = await S.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const r = await openPage(S.context, url, { label, page });
  return r;
}

describe("views", () => {
  after(async () => { if (S) await S.close(); });

  it("the page registers views", () => {
    if (probeError) throw probeError;
    assert.ok(views.length > 0, "factlab.views() is empty");
  });

  for (const id of [...EXPECTED_VIEWS, ...extra]) {
    const skip = views.includes(id) ? false : `view '${id}' is not registered by the page yet`;

    it(`${id}: full page #view=${id}`, { skip }, async () => {
      const { page, w } = await fresh(S.url(`index.html#view=${encodeURIComponent(id)}`), `full:${id}`);
      try {
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.view, id, `getState() has view=${st.view} after opening #view=${id}`);
        const shot = await expectNotBlank(page, `view-${id}-full`);
        fullShots.set(id, crypto.createHash("sha1").update(shot.img.data).digest("hex"));
        expectNoErrors(w, `#view=${id}`);
      } finally { await page.close(); }
    });

    it(`${id}: embed ?embed=1&view=${id}&controls=0`, { skip }, async () => {
      const { page, w } = await fresh(S.url(`index.html?embed=1&view=${encodeURIComponent(id)}&controls=0`), `embed:${id}`, EMBED_SIZE);
      try {
        // A figure shorter than the frame is judged on its own area: a host fits the iframe to it (factlab:size).
        const fig = await page.evaluate(() => window.factlab.figure && window.factlab.figure());
        const box = fig && fig.height < EMBED_SIZE.height ? { x: 0, y: 0, w: EMBED_SIZE.width, h: fig.height } : null;
        const r = await expectNotBlank(page, `view-${id}-embed`, box ? { box } : {});
        assert.ok(Math.abs(r.dom.css[0] - EMBED_SIZE.width) <= 2 && Math.abs(r.dom.css[1] - EMBED_SIZE.height) <= 2,
          `embed canvas is ${r.dom.css} CSS px, not the ${EMBED_SIZE.width}x${EMBED_SIZE.height} frame`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth || document.documentElement.scrollHeight > innerHeight);
        assert.equal(overflow, false, "the embed scrolls: it should fit its frame");
        const st = parseQuery(await page.evaluate(() => window.factlab.getState()));
        assert.equal(st.embed, undefined, "the page key 'embed' leaked into getState()");
        expectNoErrors(w, `embed view=${id}`);
      } finally { await page.close(); }
    });
  }

  it("an unknown embed view shows a message (the list of names), not a blank frame", async () => {
    const { page, w } = await fresh(S.url("index.html?embed=1&view=no-such-view"), "embed:unknown", EMBED_SIZE);
    try {
      // A few lines of text: less ink than a lab, so a text-sized rule.
      await expectNotBlank(page, "view-unknown-embed", { rule: { minInk: 0.005, minRows: 0.05, minCols: 0.3 } });
      expectNoErrors(w, "embed view=no-such-view");
    } finally { await page.close(); }
  });

  it("a link to a view shows that view (no two #view= links give the same picture)", () => {
    const byHash = new Map();
    for (const [id, h] of fullShots) byHash.set(h, [...(byHash.get(h) || []), id]);
    const same = [...byHash.values()].filter((ids) => ids.length > 1);
    assert.deepEqual(same, [], `these #view= links render the very same page, so the focused view is ` +
      `not brought into sight (scrolled to / highlighted): ${same.map((g) => g.join(" = ")).join("; ")}`);
  });

  it("summary", () => {
    log(`views: ${views.filter((v) => EXPECTED_VIEWS.includes(v)).length}/${EXPECTED_VIEWS.length} expected views registered` +
      (missing.length ? `; MISSING: ${missing.join(", ")}` : ""));
  });
});
