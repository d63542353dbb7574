// harness.mjs: what every browser test shares.
//
//   site()                 the site folder under test: $FACTLAB_SITE or build-wasm/site
//   startServer(dir)       scripts/serve.mjs on a free 127.0.0.1 port -> { origin, close }
//   launch(options)        Debian's /usr/bin/chromium, headless, SwiftShader WebGL2, fresh profile
//   openPage(ctx, url)     a page with console/page errors collected; waits for factlab.ready
//   shoot(target, name)    a PNG screenshot into artifacts/browser/, decoded, with colour stats
//   expectNotBlank(...)    the canvas (or a box of it) must hold a drawn lab, not a blank
//   frames(page, n)        wait for n animation frames
//   registeredViews(page)  the view ids the page knows (factlab.views() when the page has it)
//   session(ctxOptions)    server + browser for one test file; once(fn) for lazy set-up
//   siteSize(), parseQuery(), reloadPage(), watch(), expectNoErrors()
//
// Env: FACTLAB_SITE (site folder), FACTLAB_CHROMIUM (default /usr/bin/chromium),
//      FACTLAB_CHROMIUM_ARGS (extra switches, space-separated),
//      FACTLAB_READY_TIMEOUT_MS (default 60000). Screenshots: artifacts/browser/.
//
// Never downloads a browser: playwright-core is only a driver here.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
import { decodePng, imageStats, blankReason, describeStats } from "./png.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(ROOT, "artifacts", "browser");
export const CHROMIUM = process.env.FACTLAB_CHROMIUM || "/usr/bin/chromium";
export const READY_TIMEOUT = Number(process.env.FACTLAB_READY_TIMEOUT_MS || 60000);

// The view ids issues #2-#5 ask for, in the order the labs show them.
export const EXPECTED_VIEWS = ["lookup", "block", "and-gate", "neurons", "weights", "params",
  "superposition", "fit", "sphere", "capacity", "activations", "ablation", "edit"];

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu-sandbox", "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-quic",
  ...(process.env.FACTLAB_CHROMIUM_ARGS || "").split(" ").filter(Boolean)];   // extra, for experiments

export function site() {
  return path.resolve(ROOT, process.env.FACTLAB_SITE || "build-wasm/site");
}

// Fails (does not skip) when the site was not built: a test run without a site proves nothing.
export function requireSite(dir = site()) {
  for (const f of ["index.html", "factlab.js", "factlab.wasm", "factlab-page.js"])
    assert.ok(fs.existsSync(path.join(dir, f)),
      `site file ${path.join(dir, f)} is missing: build the site first (cmake --build --preset wasm --target factlab) or set FACTLAB_SITE`);
  return dir;
}

export function log(...a) { console.log("[factlab]", ...a); }
export function loud(msg) {
  const bar = "!".repeat(Math.min(100, msg.length + 8));
  console.log(`${bar}\n!!! ${msg}\n${bar}`);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function startServer(dir = site()) {
  requireSite(dir);
  for (let attempt = 0; attempt < 5; ++attempt) {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, "scripts/serve.mjs"), dir, String(port)],
      { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    const reap = () => { try { child.kill("SIGKILL"); } catch {} };
    process.once("exit", reap);                 // never leave a server behind, even on a crash
    const ok = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 10000);
      child.stdout.on("data", (d) => { if (String(d).includes("serving")) { clearTimeout(timer); resolve(true); } });
      child.on("exit", () => { clearTimeout(timer); resolve(false); });
    });
    if (ok) {
      const origin = `http://127.0.0.1:${port}`;
      return {
        origin, port, dir,
        close: () => new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
      };
    }
    child.kill("SIGKILL");
    if (attempt === 4) throw new Error(`scripts/serve.mjs did not start: ${stderr}`);
  }
}

// A persistent context in a fresh temporary profile; closing it removes the profile.
export async function launch(contextOptions = {}) {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "factlab-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    ...contextOptions,
  });
  context.setDefaultTimeout(30000);
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      // A Chromium helper may still be writing the profile as it exits (ENOTEMPTY under
      // load): retry, and never fail a test file over its temporary folder.
      try {
        fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch (e) {
        console.error(`# [factlab] could not remove ${userDataDir}: ${e.message}`);
      }
    },
  };
}

// Console errors, uncaught page errors, failed requests and HTTP errors of a page.
// A missing /favicon.ico is checked once, by page.test.mjs ("the site has an
// icon"): Chromium fetches it at a moment of its own choosing, so here its 404
// is left out to keep every other test's verdict deterministic.
export function watch(page, label = "page") {
  const w = { errors: [], warnings: [], logs: [] };
  page.on("console", (m) => {
    const loc = m.location && m.location();
    if (loc && /\/favicon\.ico$/.test(loc.url || "")) return;
    const where = loc && loc.url ? ` (${loc.url}${loc.lineNumber ? `:${loc.lineNumber}` : ""})` : "";
    const t = `${label}: console.${m.type()}: ${m.text()}${where}`;
    if (m.type() === "error") w.errors.push(t);
    else if (m.type() === "warning") w.warnings.push(t);
    else w.logs.push(t);
  });
  page.on("pageerror", (e) => w.errors.push(`${label}: uncaught ${e.name}: ${e.message}`));
  page.on("crash", () => w.errors.push(`${label}: the page crashed`));
  page.on("requestfailed", (r) => {
    const f = r.failure();
    if (f && /ERR_ABORTED/.test(f.errorText) && r.resourceType() === "document") return; // navigation replaced
    // A Web Worker still loading its script when the page navigates away (web/factlab-worker.js),
    // or a job's worker ended (new settings cancel it) while it loads (web/factlab-job-worker.js).
    if (f && /ERR_ABORTED/.test(f.errorText) && /\/factlab-(worker|core|job-worker)\.(js|wasm)$/.test(r.url())) return;
    w.errors.push(`${label}: request failed ${r.url()}: ${f ? f.errorText : "?"}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) w.errors.push(`${label}: HTTP ${r.status()} ${r.url()}`);
  });
  return w;
}

export function expectNoErrors(w, what = "the page") {
  if (w.warnings.length) log(`${what}: ${w.warnings.length} console warning(s):\n  ${w.warnings.join("\n  ")}`);
  assert.deepEqual(w.errors, [], `${what} logged errors:\n  ${w.errors.join("\n  ")}`);
}

// Waits until factlab.ready resolves (or the page shows its fatal message).
export async function waitReady(page, timeout = READY_TIMEOUT) {
  await page.waitForFunction(() => !!(window.factlab && window.factlab.ready), null, { timeout: 10000 });
  const r = await page.evaluate((ms) => Promise.race([
    window.factlab.ready.then(() => ({ ok: true }), (e) => ({ ok: false, why: String(e && e.message || e) })),
    new Promise((res) => setTimeout(() => res({ ok: false, why: `factlab.ready did not resolve in ${ms} ms` }), ms)),
  ]), timeout);
  if (!r.ok) {
    const fatal = await page.evaluate(() => { const f = document.getElementById("fatal"); return f && !f.hidden ? f.textContent : null; });
    assert.fail(`factlab.ready failed: ${r.why}${fatal ? ` (page says: ${fatal})` : ""}`);
  }
}

export async function frames(page, n = 5) {
  await page.evaluate((n) => new Promise((res) => {
    let k = 0;
    const step = () => (++k >= n ? res() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  }), n);
}

// Navigates (or reloads) and waits for ready and a few more frames.
export async function openPage(context, url, { ready = true, label = "page", page = null, settle = 8 } = {}) {
  page = page || await context.newPage();
  const w = page.__factlabWatch || (page.__factlabWatch = watch(page, label));
  await page.goto(url, { waitUntil: "load" });
  if (ready) { await waitReady(page); await frames(page, settle); }
  return { page, w };
}

// Reloads the page (a real reload: the wasm starts again) and waits for ready.
export async function reloadPage(page, { settle = 8 } = {}) {
  await page.reload({ waitUntil: "load" });
  await waitReady(page);
  await frames(page, settle);
}

export function safeName(s) { return String(s).replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80); }

// Screenshot of a page or locator; saved to artifacts/browser/NAME.png and decoded.
// A locator is shot as a clip of the page (same pixels): Playwright's element
// screenshots wait for stability and are 3-5x slower under SwiftShader.
export async function shoot(target, name, options = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${safeName(name)}.png`);
  let buf;
  if (typeof target.boundingBox === "function" && typeof target.page === "function") {
    const b = await target.boundingBox();
    assert.ok(b && b.width > 0 && b.height > 0, `${name}: the element has no box to screenshot`);
    const vp = target.page().viewportSize() || { width: 1e9, height: 1e9 };
    const x = Math.max(0, Math.floor(b.x)), y = Math.max(0, Math.floor(b.y));
    const clip = { x, y, width: Math.max(1, Math.min(vp.width, Math.ceil(b.x + b.width)) - x),
      height: Math.max(1, Math.min(vp.height, Math.ceil(b.y + b.height)) - y) };
    buf = await target.page().screenshot({ path: file, clip, animations: "allow", ...options });
  } else {
    buf = await target.screenshot({ path: file, animations: "allow", ...options });
  }
  const img = decodePng(buf);
  return { file, img, stats: imageStats(img) };
}

// The canvas must show a drawn lab: the loading cover gone, no fatal message,
// and its pixels (screenshot of the canvas element) pass the non-blank rule.
export async function expectNotBlank(page, name, { box = null, rule = undefined } = {}) {
  const dom = await page.evaluate(() => {
    const c = document.getElementById("canvas");
    const r = c ? c.getBoundingClientRect() : null;
    const vis = (id) => { const e = document.getElementById(id); return !!(e && !e.hidden && getComputedStyle(e).display !== "none" && getComputedStyle(e).visibility !== "hidden"); };
    return { hasCanvas: !!c, w: c ? c.width : 0, h: c ? c.height : 0, css: r ? [r.width, r.height] : null,
      loading: vis("loading"), fatal: vis("fatal") ? document.getElementById("fatal").textContent : null };
  });
  assert.ok(dom.hasCanvas, `${name}: no #canvas on the page`);
  assert.equal(dom.fatal, null, `${name}: the page shows its fatal message: ${dom.fatal}`);
  assert.equal(dom.loading, false, `${name}: the loading cover is still shown`);
  assert.ok(dom.w > 0 && dom.h > 0, `${name}: canvas backing store is ${dom.w}x${dom.h}`);
  const shot = await shoot(page.locator("#canvas"), name);
  const stats = box ? imageStats(shot.img, box) : shot.stats;
  const why = blankReason(stats, rule);
  log(`${name}: ${describeStats(stats)} -> ${shot.file}`);
  assert.equal(why, null, `${name}: the canvas looks blank: ${why} (screenshot ${shot.file})`);
  return { ...shot, stats, dom };
}

// The view ids the page registers. The page may expose factlab.views() (an array
// of ids or of {id}); otherwise they are read from the ViewRegistrar entries in
// src/ui/**/*.cpp, which is what the site was built from.
export async function registeredViews(page) {
  const fromPage = page ? await page.evaluate(() => {
    const f = window.factlab && window.factlab.views;
    let v = typeof f === "function" ? f() : f;
    if (!Array.isArray(v)) return null;
    return v.map((x) => (typeof x === "string" ? x : x && x.id)).filter(Boolean);
  }).catch(() => null) : null;
  if (fromPage) return { ids: fromPage, source: "factlab.views()" };
  const ids = new Set();
  const dir = path.join(ROOT, "src/ui");
  for (const f of fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".cpp"))) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    // static ViewRegistrar reg({"lookup", "Lookup", ...}) / ViewRegistrar r{ViewInfo{"and-gate", ...}}
    for (const m of text.matchAll(/ViewRegistrar\s+\w+\s*[({]\s*(?:ViewInfo\s*)?[({]?\s*"([a-z0-9-]+)"/g)) ids.add(m[1]);
  }
  return { ids: [...ids], source: "src/ui/**/*.cpp ViewRegistrar entries" };
}

// Every file of the site, raw and gzip -9 sizes.
export function siteSize(dir = site()) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const data = fs.readFileSync(p);
        files.push({ file: path.relative(dir, p), raw: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  files.sort((a, b) => b.raw - a.raw);
  return { files, raw: files.reduce((s, f) => s + f.raw, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

// Parses "k=v&k2=v2" (the page's state format) into an object.
export function parseQuery(q) {
  const o = {};
  for (const part of String(q || "").replace(/^[#?]/, "").split("&")) {
    if (!part) continue;
    const i = part.indexOf("=");
    const k = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, " "));
    o[k] = i < 0 ? "1" : decodeURIComponent(part.slice(i + 1).replace(/\+/g, " "));
  }
  return o;
}

// Runs fn once, on first use; later calls get the same promise (and the same
// failure). Test files set up through it inside their tests, not in before()
// hooks, so a setup failure shows up as failed tests rather than "cancelled".
export function once(fn) {
  let p = null;
  const get = () => (p ||= Promise.resolve().then(fn));
  get.started = () => p !== null;
  get.value = async () => (p ? p.catch(() => null) : null);
  return get;
}

// One browser + one server for a whole test file.
export async function session(contextOptions = {}) {
  const server = await startServer();
  let b;
  try { b = await launch(contextOptions); } catch (e) { await server.close(); throw e; }
  return {
    server, context: b.context, origin: server.origin,
    url: (p = "") => `${server.origin}/${p.replace(/^\//, "")}`,
    close: async () => { await b.close(); await server.close(); },
  };
}
