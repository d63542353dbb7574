// message.test.mjs: the postMessage protocol (docs/embed.md) between a host page
// and factlab in an iframe, both served from the same 127.0.0.1 server (the host
// page is answered by the test through request routing, so the site folder is
// left as built). factlab:set / replace / get / tour are answered with
// factlab:state; malformed or hostile messages get factlab:error and change
// nothing; other scripts' messages are ignored; reader changes are announced.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { once, session, watch, waitReady, frames, expectNoErrors, parseQuery, shoot, log, READY_TIMEOUT } from "./harness.mjs";
import { blankReason, describeStats } from "./png.mjs";

const HOST = `<!doctype html><html lang="en"><meta charset="utf-8"><title>factlab test host</title>
<body style="margin:0;background:#fff">
<iframe id="lab" title="factlab" width="760" height="440" style="border:0;display:block"
        src="index.html?embed=1&amp;view=lookup&amp;controls=0#subject=Michael%20Jordan"></iframe>
<script>
  window.__msgs = [];
  const lab = document.getElementById("lab");
  window.addEventListener("message", (e) => {
    if (e.source !== lab.contentWindow) return;
    window.__msgs.push({ origin: e.origin, data: e.data, t: performance.now() });
  });
  window.__send = (m) => lab.contentWindow.postMessage(m, location.origin);
  // Sent before factlab has loaded: must be queued and answered after the first frame.
  lab.addEventListener("load", () => window.__send({ type: "factlab:get", id: "early" }), { once: true });
</script></html>`;

describe("postMessage protocol", () => {
  let S, page, frame, wHost, wFrame;
  let seen = 0;              // messages already consumed

  const msgs = () => page.evaluate(() => window.__msgs);
  const send = (m) => page.evaluate((m) => window.__send(m), m);
  const frameState = async () => frame.evaluate(() => window.factlab.getState());
  // Waits for the next message (after `seen`) that `pred` accepts; returns it.
  async function next(pred, what, timeout = 5000) {
    const t0 = Date.now();
    for (;;) {
      const all = await msgs();
      for (let i = seen; i < all.length; ++i)
        if (pred(all[i].data)) { seen = i + 1; return all[i]; }
      if (Date.now() - t0 > timeout) assert.fail(`no ${what} within ${timeout} ms; messages: ${JSON.stringify(all.slice(seen)).slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const reply = (id) => (d) => d && d.id === id && (d.type === "factlab:state" || d.type === "factlab:error");

  const setup = once(async () => {
    S = await session();
    await S.context.route(S.url("__factlab_host.html"), (route) =>
      route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: HOST }));
    page = await S.context.newPage();
    wHost = watch(page, "host");
    await page.goto(S.url("__factlab_host.html"), { waitUntil: "load" });
    frame = page.frame({ url: /index\.html/ });
    assert.ok(frame, "the iframe did not load index.html");
    await waitReady(frame, READY_TIMEOUT);
    await frames(frame, 5);
  });
  after(async () => { await setup.value(); if (S) await S.close(); });

  it("factlab:ready arrives once, from factlab's origin, with the embed's view", async () => {
    await setup();
    const m = await next((d) => d && d.type === "factlab:ready", "factlab:ready", 10000);
    assert.equal(m.origin, S.origin);
    assert.equal(m.data.version, 1);
    assert.equal(m.data.view, "lookup");
    assert.equal(m.data.embed, true);
    assert.equal(parseQuery(m.data.state).subject, "Michael Jordan");
    assert.ok(!("embed" in parseQuery(m.data.state)), "page key 'embed' in the shared state");
  });

  it("a message sent before factlab loaded is queued and answered", async () => {
    await setup();
    const all = await msgs();
    const early = all.find((x) => x.data && x.data.id === "early");
    assert.ok(early, `no reply to the early factlab:get: ${JSON.stringify(all).slice(0, 600)}`);
    assert.equal(early.data.type, "factlab:state");
  });

  it("the embed renders non-blank inside the host page", async () => {
    await setup();
    const s = await shoot(page.locator("#lab"), "message-host-iframe");
    log(`host iframe: ${describeStats(s.stats)}`);
    assert.equal(blankReason(s.stats), null, `the embedded lab looks blank (${s.file})`);
  });

  it("factlab:set (object) merges keys and is answered with factlab:state and the same id", async () => {
    await setup();
    await send({ type: "factlab:set", state: { subject: "Michael Phelps", view: "and-gate", seed: 5 }, id: 1 });
    const m = await next(reply(1), "reply to id 1");
    assert.equal(m.data.type, "factlab:state", JSON.stringify(m.data));
    const st = parseQuery(m.data.state);
    assert.equal(st.subject, "Michael Phelps");
    assert.equal(st.view, "and-gate");
    assert.equal(st.seed, "5");
    assert.equal(m.data.view, "and-gate");
    const fs = parseQuery(await frameState());
    assert.equal(fs.subject, "Michael Phelps", "the frame's getState() does not have the new subject");
  });

  it("factlab:set (link text) merges, and an empty value removes a key", async () => {
    await setup();
    await send({ type: "factlab:set", state: "subject=Alexis%20Jordan&seed=", id: "txt" });
    const m = await next(reply("txt"), "reply to id txt");
    assert.equal(m.data.type, "factlab:state", JSON.stringify(m.data));
    const st = parseQuery(m.data.state);
    assert.equal(st.subject, "Alexis Jordan");
    assert.ok(!("seed" in st), `seed not removed: ${m.data.state}`);
    assert.equal(st.view, "and-gate", "set must merge, not replace");
  });

  it("factlab:replace replaces the state but keeps the embed's page keys", async () => {
    await setup();
    await send({ type: "factlab:replace", state: { view: "lookup", subject: "Michael Jordan" }, id: "rep" });
    const m = await next(reply("rep"), "reply to id rep");
    assert.equal(m.data.type, "factlab:state", JSON.stringify(m.data));
    const st = parseQuery(m.data.state);
    assert.deepEqual(Object.keys(st).sort().filter((k) => k !== "theme"), ["subject", "view"], `replace kept old keys: ${m.data.state}`);
    const embedStill = await frame.evaluate(() => document.documentElement.classList.contains("embedded"));
    assert.ok(embedStill);
    await frames(frame, 3);
    const shot = await shoot(page.locator("#lab"), "message-after-replace");
    assert.equal(blankReason(shot.stats), null, "blank after replace");
  });

  it("factlab:get answers with the current state", async () => {
    await setup();
    await send({ type: "factlab:get", id: "g" });
    const m = await next(reply("g"), "reply to id g");
    assert.equal(m.data.type, "factlab:state");
    assert.equal(m.data.state, await frameState());
  });

  it("factlab:tour goes to a step (its own state), and step 0 closes the tour", async () => {
    await setup();
    await send({ type: "factlab:tour", step: 3, id: "t3" });
    const m = await next(reply("t3"), "reply to tour step 3");
    assert.equal(m.data.type, "factlab:state", JSON.stringify(m.data));
    const st = parseQuery(m.data.state);
    assert.equal(st.tour, "3", `tour step not in the state: ${m.data.state}`);
    assert.equal(m.data.view, "neurons", "tour step 3 shows the neuron inspector (docs/embed.md)");
    await send({ type: "factlab:tour", step: 0, id: "t0" });
    const c = await next(reply("t0"), "reply to tour step 0");
    assert.ok(!("tour" in parseQuery(c.data.state)), `tour not closed: ${c.data.state}`);
  });

  const bad = [
    ["a key a link cannot hold", { type: "factlab:set", state: { "Bad Key": "x", subject: "Nope" }, id: 10 }],
    ["a nested value", { type: "factlab:set", state: { subject: { nested: 1 } }, id: 11 }],
    ["null among good values (whole or nothing)", { type: "factlab:set", state: { subject: "Nope", d: null }, id: 12 }],
    ["an array state", { type: "factlab:set", state: ["subject", "Nope"], id: 13 }],
    ["a missing state", { type: "factlab:set", id: 14 }],
    ["a control character", { type: "factlab:set", state: { subject: "No\u0001pe" }, id: 15 }],
    ["a malformed %-escape", { type: "factlab:set", state: "subject=%zz", id: 16 }],
    ["a fractional tour step", { type: "factlab:tour", step: 1.5, id: 17 }],
    ["a negative tour step", { type: "factlab:tour", step: -1, id: 18 }],
    ["a tour step as text", { type: "factlab:tour", step: "3", id: 19 }],
    ["an unknown type", { type: "factlab:explode", id: 20 }],
    ["a 300-byte value", { type: "factlab:set", state: { subject: "x".repeat(300) }, id: 22 }],
    ["65 keys", { type: "factlab:set", state: Object.fromEntries([...Array(65)].map((_, i) => [`k${i}`, "1"])), id: 23 }],
    ["a state too long for a link", { type: "factlab:set", state: Object.fromEntries([...Array(40)].map((_, i) => [`key${i}`, "v".repeat(250)])), id: 24 }],
  ];
  for (const [what, msg] of bad) {
    it(`rejects ${what} with factlab:error and changes nothing`, async () => {
    await setup();
      const before = await frameState();
      await send(msg);
      const m = await next(reply(msg.id), `reply to ${what}`);
      assert.equal(m.data.type, "factlab:error", `${what}: got ${JSON.stringify(m.data)}`);
      assert.ok(typeof m.data.error === "string" && m.data.error.length > 0, "an error without a reason");
      await frames(frame, 2);
      assert.equal(await frameState(), before, `${what} changed the state`);
    });
  }

  it("rejects bad ids, non-JSON text and oversized messages that mention factlab", async () => {
    await setup();
    const cases = [
      { type: "factlab:get", id: "x".repeat(65) },
      { type: "factlab:get", id: { evil: true } },
      "factlab:set this is not JSON",
      '{"type":"factlab:set","state":{"d":1e999},"id":25}',
      { type: "factlab:set", state: { a: { b: { c: {} } } }, id: 21 },     // too deep: refused before parsing
      JSON.stringify({ type: "factlab:set", state: { subject: "y".repeat(20000) } }),
    ];
    const before = await frameState();
    for (const c of cases) {
      const n0 = (await msgs()).length;
      await send(c);
      const m = await next((d) => d && d.type === "factlab:error", `an error for ${String(JSON.stringify(c)).slice(0, 60)}`);
      assert.ok(!("id" in m.data) || typeof m.data.id !== "object", "an invalid id was echoed");
      assert.ok((await msgs()).length > n0);
    }
    assert.equal(await frameState(), before, "a rejected message changed the state");
    // Refused before parsing (too deep, too long), the reply still names its request.
    await send({ type: "factlab:set", state: { a: { b: { c: {} } } }, id: 21 });
    const deep = await next((d) => d && d.type === "factlab:error" && d.id === 21, "the too-deep error with its id");
    assert.match(deep.data.error, /nested too deeply/);
  });

  it("hostile text is kept as data only: nothing reaches either DOM as HTML", async () => {
    await setup();
    const evil = "<img src=x onerror=\"top.__pwned=1;window.__pwned=1\">";
    await send({ type: "factlab:set", state: { subject: evil }, id: "evil" });
    const m = await next(reply("evil"), "reply to the hostile subject");
    assert.equal(m.data.type, "factlab:state");
    await frames(frame, 10);
    const r = await frame.evaluate(() => ({ pwned: window.__pwned, imgs: document.querySelectorAll("img").length }));
    const h = await page.evaluate(() => ({ pwned: window.__pwned, imgs: document.querySelectorAll("img").length }));
    assert.deepEqual(r, { pwned: undefined, imgs: 0 });
    assert.deepEqual(h, { pwned: undefined, imgs: 0 });
    const look = await frame.evaluate(() => window.factlab.lookup("Michael Jordan"));
    assert.equal(look.answers.sport.object, "basketball");
    await send({ type: "factlab:set", state: { subject: "Michael Jordan" }, id: "undo" });
    await next(reply("undo"), "reply to undo");
  });

  it("ignores other scripts' messages and factlab's own message types (no reply at all)", async () => {
    await setup();
    const n0 = (await msgs()).length;
    for (const m of [{ type: "other-widget", x: 1 }, "hello", 42, null, { type: "factlab:state", state: "view=params" },
      { type: "factlab:ready" }, { type: "factlab:error", error: "x" }, [1, 2]])
      await send(m);
    await send({ type: "factlab:get", id: "fence" });
    const fence = await next(reply("fence"), "reply to the fence");
    const all = await msgs();
    const between = all.slice(n0).filter((x) => x !== undefined && !(x.data && x.data.id === "fence") &&
      !(x.data && (x.data.type === "factlab:state" || x.data.type === "factlab:size") && x.data.id === undefined));
    // (change events and a figure's size may interleave: they are announcements, not replies)
    assert.deepEqual(between.map((x) => x.data), [], "factlab answered messages that were not for it");
    assert.notEqual(parseQuery(fence.data.state).view, "params", "a factlab:state sent TO factlab was applied");
  });

  it("announces the reader's changes to the host (factlab:state without id)", async () => {
    await setup();
    await frame.evaluate(() => window.factlab.setState("view=block&subject=Michael%20Phelps"));
    const m = await next((d) => d && d.type === "factlab:state" && d.id === undefined && /subject=Michael%20Phelps/.test(d.state), "a change event");
    assert.equal(m.data.view, "block");
    assert.ok(!/(^|&)(embed|controls)=/.test(m.data.state), `page keys in a change event: ${m.data.state}`);
  });

  it("factlab.message() on the page takes the same messages", async () => {
    await setup();
    const r = await frame.evaluate(() => [
      window.factlab.message({ type: "factlab:set", state: { subject: "Michael Jordan" }, id: 99 }),
      window.factlab.message({ type: "factlab:set", state: { "B A D": 1 }, id: 100 }),
      window.factlab.message({ type: "not-factlab" }),
    ]);
    assert.equal(r[0].type, "factlab:state");
    assert.equal(r[0].id, 99);
    assert.equal(r[1].type, "factlab:error");
    assert.equal(r[1].id, 100);
    assert.equal(r[2], null);
  });

  // Issue 10 item 5: each factlab:set may carry up to 64 keys, and they merge:
  // a series of them passed the 64 keys a link holds, so "Copy link" could no
  // longer restore the state. Now the set that would pass it is refused, saying why.
  it("a series of factlab:set messages cannot pass the 64 keys a link holds", async () => {
    await setup();
    await send({ type: "factlab:replace", state: { view: "lookup", subject: "Michael Jordan" }, id: "k0" });
    await next(reply("k0"), "reply to the replace");
    const batch = (b) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x${b}_${i}`, "1"]));
    const replies = [];
    for (let b = 0; b < 4; ++b) {
      await send({ type: "factlab:set", state: batch(b), id: `k${b + 1}` });
      replies.push((await next(reply(`k${b + 1}`), `reply to set ${b + 1}`)).data);
    }
    assert.deepEqual(replies.slice(0, 3).map((r) => r.type), ["factlab:state", "factlab:state", "factlab:state"]);
    assert.equal(replies[3].type, "factlab:error", `the set past 64 keys was accepted: ${JSON.stringify(replies[3]).slice(0, 200)}`);
    assert.match(replies[3].error, /64/);
    const st = parseQuery(await frameState());
    const keys = Object.keys(st).length;
    assert.ok(keys <= 64, `the state holds ${keys} keys`);
    assert.ok(!("x3_0" in st), "the refused set changed the state");
    // The copied link restores exactly this state (every key read back).
    const back = await frame.evaluate((q) => window.factlab.setState(q), await frameState());
    assert.deepEqual(back, [], `the state's own link warns: ${JSON.stringify(back)}`);
    await send({ type: "factlab:replace", state: { view: "lookup", subject: "Michael Jordan" }, id: "k9" });
    await next(reply("k9"), "reply to the clean-up");
  });

  // Issue 14: a host page sends a facts CSV; it loads like a dropped file.
  it("factlab:facts loads a good CSV; a bad one comes back as factlab:error with its lines", async () => {
    await setup();
    const good = "subject,relation,object\nMichael Jordan,sport,basketball\nJordan Spieth,sport,golf\n" +
      "\"Shaquille \"\"Shaq\"\" O'Neal\",sport,basketball\nSerena Williams,sport,tennis\n";
    await send({ type: "factlab:facts", csv: good, name: "host.csv", id: "f1" });
    const ok = await next(reply("f1"), "reply to the good facts");
    assert.equal(ok.data.type, "factlab:state", JSON.stringify(ok.data).slice(0, 300));
    await frames(frame, 3);
    let look = await frame.evaluate(() => window.factlab.lookup("Jordan Spieth"));
    assert.equal(look.answers?.sport?.object, "golf");
    look = await frame.evaluate(() => window.factlab.lookup("Shaquille \"Shaq\" O'Neal"));
    assert.equal(look.answers?.sport?.object, "basketball");

    const bad = "subject,relation,object\nLarry Bird,sport,basketball\nMagic Johnson,sport\nA B,sport,x,y\n";
    await send({ type: "factlab:facts", csv: bad, id: "f2" });
    const err = await next(reply("f2"), "reply to the bad facts");
    assert.equal(err.data.type, "factlab:error");
    assert.deepEqual(err.data.errors.map((e) => e.line), [3, 4], JSON.stringify(err.data));
    assert.match(err.data.errors[0].reason, /fields/);
    assert.match(err.data.error, /previous facts are kept/);
    look = await frame.evaluate(() => window.factlab.lookup("Jordan Spieth"));
    assert.equal(look.answers?.sport?.object, "golf", "the bad file replaced the good facts");

    // A CSV past the 8 MB limit: refused with a reason, the page alive.
    const huge = "subject,relation,object\n" + "Some One,sport,golf\n".repeat(450000);
    await send({ type: "factlab:facts", csv: huge, id: "f3" });
    const big = await next(reply("f3"), "reply to the 9 MB facts", 30000);
    assert.equal(big.data.type, "factlab:error");
    assert.match(big.data.error, /limit|longer/, big.data.error);
    await frames(frame, 3);
    look = await frame.evaluate(() => window.factlab.lookup("Jordan Spieth"));
    assert.equal(look.answers?.sport?.object, "golf");
    await frame.evaluate(() => window.factlab.message({ type: "factlab:facts", csv: "subject,relation,object\n" }));
  });

  it("a 3,000,000-character message is refused, saying why, and the page keeps drawing", async () => {
    await setup();
    const f0 = await frame.evaluate(() => window.factlab.frameCount());
    await send({ type: "factlab:set", id: "long", state: { subject: "z".repeat(3000000) } });   // the id first: found by the scan of the first 1 MB
    const m = await next(reply("long"), "reply to the long message", 20000);
    assert.equal(m.data.type, "factlab:error");
    assert.match(m.data.error, /longer than/);
    const r = await frame.evaluate(() => window.factlab.message("{\"type\":\"factlab:set\",\"id\":5,\"state\":\"q=" + "w".repeat(3000000) + "\"}"));
    assert.equal(r.type, "factlab:error");
    assert.equal(r.id, 5);
    await frames(frame, 4);
    const f1 = await frame.evaluate(() => window.factlab.frameCount());
    assert.ok(f1 > f0, `the frame stopped drawing (${f0} -> ${f1})`);
  });

  it("logged no console errors (host and frame)", async () => {
    await setup();
    expectNoErrors(wHost, "host page + iframe");
    const readies = (await msgs()).filter((x) => x.data && x.data.type === "factlab:ready").length;
    assert.equal(readies, 1, `factlab:ready was sent ${readies} times`);
  });
});
