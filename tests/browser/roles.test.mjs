// roles.test.mjs: role-bound directions on the page ("first name Michael" +
// "last name Jordan"): "Jordan Michael" is not Michael Jordan through
// factlab.lookup, the AND gate and the lookup view draw, and a capitals file
// of another domain (names inside names) loads and answers.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { once, session, openPage, expectNotBlank, expectNoErrors, frames, shoot, log, ROOT } from "./harness.mjs";

describe("role-bound directions", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session({ viewport: { width: 1280, height: 900 } });
    ({ page, w } = await openPage(S.context, S.url("index.html#view=and-gate&subject=Michael%20Jordan"), { label: "roles" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("factlab.lookup: each word has its role; \"Jordan Michael\" finds no neuron", async () => {
    await setup();
    const mj = await page.evaluate(() => window.factlab.lookup("Michael Jordan"));
    assert.deepEqual(mj.roles, ["first", "last"]);
    assert.equal(mj.answers.sport.object, "basketball");
    const jm = await page.evaluate(() => window.factlab.lookup("Jordan Michael"));
    log(`lookup(Jordan Michael): ${JSON.stringify(jm).slice(0, 300)}`);
    assert.deepEqual(jm.roles, ["first", "last"]);
    assert.deepEqual(jm.unknown_tokens, ["Michael"], "Michael is never a last name in the built-in set");
    for (const [rel, a] of Object.entries(jm.answers))
      assert.ok(a.probability < 2 / a.ranking.length, `${rel}: ${a.object} at ${a.probability} is not a near-uniform guess`);
  });

  it("the AND gate for Michael Jordan, then for \"Jordan Michael\", draws", async () => {
    await setup();
    await frames(page, 10);
    await expectNotBlank(page, "roles-and-gate-michael-jordan");
    await shoot(page, "roles-and-gate-michael-jordan-full");
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=Jordan%20Spieth"));
    await frames(page, 10);
    await shoot(page, "roles-and-gate-jordan-spieth-full");
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=Jordan%20Michael"));
    await frames(page, 10);
    await shoot(page, "roles-and-gate-jordan-michael-full");
    await page.evaluate(() => window.factlab.setState("view=lookup&subject=Jordan%20Michael"));
    await frames(page, 10);
    await expectNotBlank(page, "roles-lookup-jordan-michael");
    await shoot(page, "roles-lookup-jordan-michael-full");
    expectNoErrors(w, "the page");
  });

  it("tests/data/capitals.csv loads and answers like the CLI's tests", async () => {
    await setup();
    const text = fs.readFileSync(path.join(ROOT, "tests/data/capitals.csv"), "utf8");
    const r = await page.evaluate(({ text }) => window.factlab.loadFacts("capitals.csv", text), { text });
    assert.equal(r.ok, true, JSON.stringify(r));
    await frames(page, 5);
    for (const [s, rel, obj] of [["New York", "kind", "state"], ["New York City", "kind", "city"], ["Jordan", "capital", "Amman"],
                                 ["Papua New Guinea", "capital", "Port Moresby"], ["Saint Kitts and Nevis", "capital", "Basseterre"]]) {
      const a = await page.evaluate((x) => window.factlab.lookup(x), s);
      assert.equal(a.answers?.[rel]?.object, obj, `${s} ${rel}: ${JSON.stringify(a.answers?.[rel]).slice(0, 200)}`);
    }
    const nyc = await page.evaluate(() => window.factlab.lookup("New York City"));
    assert.deepEqual(nyc.roles, ["first", "middle", "last"]);
    await page.evaluate(() => window.factlab.setState("view=and-gate&subject=New%20York%20City"));
    await frames(page, 10);
    await expectNotBlank(page, "roles-and-gate-new-york-city");
    await shoot(page, "roles-and-gate-new-york-city-full");
  });
});
