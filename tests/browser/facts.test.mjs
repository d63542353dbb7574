// facts.test.mjs: importing facts CSVs on the page, through factlab.loadFacts and
// through a dropped file. A bad file gives line-numbered errors and keeps the old
// facts (lookup still says basketball); a good file of another domain (capitals,
// with names that share tokens: "New York" / "York") loads and answers.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, openPage, expectNotBlank, expectNoErrors, frames, log } from "./harness.mjs";

const CAPITALS = [
  "subject,relation,object",
  "France,capital,Paris",
  "Germany,capital,Berlin",
  "Italy,capital,Rome",
  "New York,capital,Albany",
  "New York,country,United States",
  "York,country,United Kingdom",
  "New Jersey,capital,Trenton",
  "New Zealand,capital,Wellington",
  "New Zealand,country,New Zealand",
  "United Kingdom,capital,London",
  "\"Washington, D.C.\",country,United States",
  "",
].join("\r\n");

const CAPITALS_ANSWERS = [
  ["France", "capital", "Paris"], ["New York", "capital", "Albany"], ["New York", "country", "United States"],
  ["York", "country", "United Kingdom"], ["New Jersey", "capital", "Trenton"], ["New Zealand", "capital", "Wellington"],
  ["United Kingdom", "capital", "London"], ["Washington, D.C.", "country", "United States"],
];

// Bad files and the line each must be reported on.
const BAD = [
  ["a row with two fields", "subject,relation,object\nMichael Jordan,sport,basketball\nLarry Bird,sport\n", 3, /3 fields|found 2/],
  ["a wrong header", "name,relation,object\nMichael Jordan,sport,basketball\n", 1, /header/],
  ["an unterminated quote", "subject,relation,object\nA B,sport,x\n\"C D,sport,y\n", 3, /quote/],
  ["a conflicting answer", "subject,relation,object\nMichael Jordan,sport,basketball\nMichael Jordan,sport,baseball\n", 3, /already|one object/],
  ["five name tokens", "subject,relation,object\nA B C D E,sport,x\n", 2, /tokens/],
  ["an empty object", "subject,relation,object\n\nMichael Jordan,sport,\n", 3, /empty/],
  ["a header only", "subject,relation,object\n", 0, /no facts|rows/],
  ["an empty file", "", 0, /empty|header/],
];

async function mjSport(page) {
  const r = await page.evaluate(() => window.factlab.lookup("Michael Jordan"));
  return r && r.answers && r.answers.sport ? r.answers.sport.object : null;
}

// Drops a file on the canvas the way a browser does (a DragEvent carrying a File),
// recording what factlab.loadFacts returned for it.
async function dropFile(page, name, text) {
  return page.evaluate(async ({ name, text }) => {
    const api = window.factlab;
    const orig = api.loadFacts;
    let result = null;
    api.loadFacts = function (n, t) { result = orig.call(api, n, t); return result; };
    try {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type: "text/csv" }));
      const canvas = document.getElementById("canvas");
      const r = canvas.getBoundingClientRect();
      const opts = { dataTransfer: dt, bubbles: true, cancelable: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 };
      canvas.dispatchEvent(new DragEvent("dragenter", opts));
      canvas.dispatchEvent(new DragEvent("dragover", opts));
      canvas.dispatchEvent(new DragEvent("drop", opts));
      const t0 = performance.now();
      while (result === null && performance.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 20));
      return result;
    } finally { api.loadFacts = orig; }
  }, { name, text });
}

describe("facts import", () => {
  let S, page, w;
  const setup = once(async () => {
    S = await session();
    ({ page, w } = await openPage(S.context, S.url("index.html#view=lookup"), { label: "facts" }));
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("starts on the built-in athletes", async () => {
    await setup();
    assert.equal(await mjSport(page), "basketball");
  });

  for (const [what, text, line, reason] of BAD) {
    it(`loadFacts: ${what} -> error on line ${line}, old facts kept`, async () => {
    await setup();
      const r = await page.evaluate(({ text }) => window.factlab.loadFacts("bad.csv", text), { text });
      assert.equal(r.ok, false, `${what}: accepted: ${JSON.stringify(r)}`);
      assert.ok(Array.isArray(r.errors) && r.errors.length > 0, `${what}: no errors listed`);
      assert.equal(r.errors[0].line, line, `${what}: first error on line ${r.errors[0].line}: ${r.errors[0].reason}`);
      assert.match(r.errors[0].reason, reason);
      assert.equal(await mjSport(page), "basketball", `${what}: the old facts were lost`);
    });
  }

  it("loadFacts: every bad line is listed, with its number", async () => {
    await setup();
    const text = "subject,relation,object\nA B,sport,x\nbad row\nC D,sport,y\n\"E F\"g,sport,z\nG H,sport,w,extra\n";
    const r = await page.evaluate(({ text }) => window.factlab.loadFacts("bad.csv", text), { text });
    assert.equal(r.ok, false);
    assert.deepEqual(r.errors.map((e) => e.line), [3, 5, 6], JSON.stringify(r.errors));
    assert.equal(await mjSport(page), "basketball");
  });

  it("a dropped bad file gives its line-numbered error and keeps the old facts", async () => {
    await setup();
    const r = await dropFile(page, "dropped-bad.csv", "subject,relation,object\nMichael Jordan,sport,basketball\nLarry Bird,sport\n");
    assert.ok(r, "dropping a file on the canvas did not call factlab.loadFacts");
    assert.equal(r.ok, false);
    assert.equal(r.errors[0].line, 3, JSON.stringify(r.errors));
    await frames(page, 5);
    assert.equal(await mjSport(page), "basketball");
    await expectNotBlank(page, "facts-after-bad-drop");
  });

  it("a good CSV of another domain (capitals; BOM, CRLF, quotes, shared tokens) loads and answers", async () => {
    await setup();
    const r = await page.evaluate(({ text }) => window.factlab.loadFacts("capitals.csv", "\ufeff" + text), { text: CAPITALS });
    assert.equal(r.ok, true, `capitals refused: ${JSON.stringify(r)}`);
    assert.equal(r.facts, CAPITALS_ANSWERS.length + 3);
    await frames(page, 5);
    for (const [subject, rel, obj] of CAPITALS_ANSWERS) {
      const a = await page.evaluate((s) => window.factlab.lookup(s), subject);
      assert.equal(a.answers?.[rel]?.object, obj, `${subject} ${rel}: ${JSON.stringify(a.answers?.[rel] || a).slice(0, 300)}`);
      const sum = a.answers[rel].ranking.reduce((s, x) => s + x.probability, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `${subject}/${rel} probabilities sum to ${sum}`);
    }
    const york = await page.evaluate(() => window.factlab.lookup("York"));
    assert.ok(!york.answers.capital || york.answers.capital.probability < 0.5,
      `"York" borrows New York's capital: ${JSON.stringify(york.answers.capital)}`);
    await expectNotBlank(page, "facts-capitals-loaded");
  });

  it("a bad file after the capitals keeps the capitals", async () => {
    await setup();
    const r = await page.evaluate(() => window.factlab.loadFacts("bad.csv", "subject,relation,object\nx\n"));
    assert.equal(r.ok, false);
    const a = await page.evaluate(() => window.factlab.lookup("France"));
    assert.equal(a.answers.capital.object, "Paris");
  });

  it("a dropped good file loads", async () => {
    await setup();
    const text = "subject,relation,object\nMichael Jordan,sport,basketball\nMichael Phelps,sport,swimming\nTom Brady,sport,American football\nJordan Spieth,sport,golf\n";
    const r = await dropFile(page, "dropped-good.csv", text);
    assert.ok(r, "dropping a file did not call factlab.loadFacts");
    assert.equal(r.ok, true, JSON.stringify(r));
    await frames(page, 5);
    const a = await page.evaluate(() => window.factlab.lookup("Jordan Spieth"));
    assert.equal(a.answers.sport.object, "golf");
    assert.equal(await mjSport(page), "basketball");
    await expectNotBlank(page, "facts-dropped-good");
  });

  it("logged no console errors", async () => { await setup(); expectNoErrors(w, "facts import"); });
});
