// Same seed, same numbers: the native CLI and the wasm CLI (run under node)
// must give the same predictions and the same figures (within float rounding).
//   node --test tests/agreement/
// Env: FACTLAB_NATIVE_CLI (default build/native-release/factlab-cli),
//      FACTLAB_WASM_CLI (default build-wasm/factlab-cli.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const nativeCli = process.env.FACTLAB_NATIVE_CLI || path.join(root, "build/native-release/factlab-cli");
const wasmCli = process.env.FACTLAB_WASM_CLI || path.join(root, "build-wasm/factlab-cli.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "factlab-agree-"));

function run(which, args) {
  const out = which === "native"
    ? execFileSync(nativeCli, args, { encoding: "utf8", maxBuffer: 64 << 20 })
    : execFileSync(process.execPath, [wasmCli, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out);
}
function both(args) { return [run("native", args), run("wasm", args)]; }

// Reads a float32 .npy (C order) into { shape, data }.
function readNpy(file) {
  const buf = fs.readFileSync(file);
  assert.equal(buf.toString("latin1", 1, 6), "NUMPY");
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString("latin1", 10, 10 + hlen);
  assert.match(header, /'descr': '<f4'/);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(",").filter(s => s.trim()).map(Number);
  const start = 10 + hlen;
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return { shape, data };
}

function close(a, b, tol, what) {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: native ${a} vs wasm ${b}`);
}

test("eval on the built-in facts: identical results", () => {
  const [n, w] = both(["eval", "--json"]);
  assert.equal(n.facts, w.facts);
  assert.equal(n.correct, w.correct);
  assert.deepEqual(n.wrong, w.wrong);
  assert.equal(n.accuracy, 1, "compiled storage answers every built-in fact");
});

test("lookups: same answers, same probabilities", () => {
  for (const subject of ["Michael Jordan", "Michael Phelps", "Alexis Jordan", "Michael B. Jordan", "Nobody Known",
                         "Jordan Michael", "Jordan Spieth"]) {
    const [n, w] = both(["lookup", "--json", subject]);
    assert.deepEqual(n.tokens, w.tokens);
    assert.deepEqual(n.roles, w.roles);
    assert.deepEqual(n.unknown_tokens, w.unknown_tokens);
    assert.deepEqual(Object.keys(n.answers), Object.keys(w.answers));
    for (const rel of Object.keys(n.answers)) {
      const a = n.answers[rel], b = w.answers[rel];
      assert.equal(a.object, b.object, `${subject} ${rel}`);
      assert.deepEqual(a.ranking.map(r => r.object), b.ranking.map(r => r.object), `${subject} ${rel} ranking`);
      a.ranking.forEach((r, i) => close(r.probability, b.ranking[i].probability, 1e-5, `${subject} ${rel} p(${r.object})`));
    }
  }
});

test("another domain (tests/data/capitals.csv): identical results", () => {
  const [n, w] = both(["eval", "--json", "--facts", path.join(root, "tests/data/capitals.csv")]);
  assert.equal(n.correct, w.correct);
  assert.deepEqual(n.wrong, w.wrong);
  assert.equal(n.accuracy, 1);
});

test("exported model weights agree", () => {
  const nd = path.join(tmp, "model-native"), wd = path.join(tmp, "model-wasm");
  execFileSync(nativeCli, ["export-model", "--out", nd]);
  execFileSync(process.execPath, [wasmCli, "export-model", "--out", wd]);
  for (const f of ["W_up.npy", "b_up.npy", "W_down.npy", "tokens.npy", "objects.npy"]) {
    const a = readNpy(path.join(nd, f)), b = readNpy(path.join(wd, f));
    assert.deepEqual(a.shape, b.shape, f);
    let worst = 0;
    for (let i = 0; i < a.data.length; ++i) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    assert.ok(worst <= 1e-5, `${f}: largest difference ${worst}`);
  }
  assert.equal(fs.readFileSync(path.join(nd, "vocab.json"), "utf8"), fs.readFileSync(path.join(wd, "vocab.json"), "utf8"));
});

test("superposition: identical seeded start, same figures after a run", () => {
  // Step 0 is the seeded start: it must agree bit for bit.
  const args0 = (out) => ["superpose", "--n", "300", "--d", "20", "--steps", "0", "--seed", "7", "--out", out, "--json"];
  run("native", args0(path.join(tmp, "v0-native.npy")));
  run("wasm", args0(path.join(tmp, "v0-wasm.npy")));
  const s0 = readNpy(path.join(tmp, "v0-native.npy")), w0 = readNpy(path.join(tmp, "v0-wasm.npy"));
  assert.deepEqual(Buffer.from(s0.data.buffer), Buffer.from(w0.data.buffer), "seeded start differs");
  // After a run the kernels' SIMD widths (AVX-512 vs SIMD128) sum in different
  // orders; the video loss has a threshold (relu(|G - I| - 0.01)), so rounding can
  // flip a pair's term and the runs drift apart slowly. The figures must still
  // agree to a small fraction of a degree.
  for (const loss of ["video", "exp"]) {
    const args = (out) => ["superpose", "--n", "300", "--d", "20", "--steps", "30", "--loss", loss, "--seed", "7", "--out", out, "--json"];
    const n = run("native", args(path.join(tmp, `v-native-${loss}.npy`)));
    const w = run("wasm", args(path.join(tmp, `v-wasm-${loss}.npy`)));
    for (const k of ["min_angle_deg", "max_angle_deg"]) {
      assert.ok(Math.abs(n[k] - w[k]) <= 0.1, `${loss} ${k}: native ${n[k]} vs wasm ${w[k]}`);
    }
    close(n.worst_abs_cos, w.worst_abs_cos, 2e-3, `${loss} worst_abs_cos`);
    const a = readNpy(path.join(tmp, `v-native-${loss}.npy`)), b = readNpy(path.join(tmp, `v-wasm-${loss}.npy`));
    assert.deepEqual(a.shape, [300, 20]);
    let worst = 0;
    for (let i = 0; i < a.data.length; ++i) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    assert.ok(worst <= 2e-2, `${loss} vectors: largest difference ${worst}`);
    console.log(`# ${loss}: min angle native ${n.min_angle_deg.toFixed(4)} vs wasm ${w.min_angle_deg.toFixed(4)}, largest vector difference ${worst.toExponential(2)}`);
  }
});

test("superposition: --init continues from saved vectors, in both builds", () => {
  const v0 = path.join(tmp, "v0-native.npy");   // written by the test above: (300, 20)
  for (const which of ["native", "wasm"]) {
    // 0 steps of the video loss (no renormalisation): the file comes back bit for bit.
    const out = path.join(tmp, `v-init-${which}.npy`);
    const r = run(which, ["superpose", "--init", v0, "--steps", "0", "--out", out, "--json"]);
    assert.equal(r.n, 300);
    assert.equal(r.d, 20);
    assert.deepEqual(Buffer.from(readNpy(out).data.buffer), Buffer.from(readNpy(v0).data.buffer), `${which}: --init changed the vectors`);
    // A file that does not fit the sizes asked for is refused with a message, exit 2.
    const bad = which === "native"
      ? () => execFileSync(nativeCli, ["superpose", "--init", v0, "--n", "301"], { stdio: "pipe" })
      : () => execFileSync(process.execPath, [wasmCli, "superpose", "--init", v0, "--n", "301"], { stdio: "pipe" });
    assert.throws(bad, (e) => e.status === 2 && /holds \(300, 20\)/.test(String(e.stderr)));
  }
  // A polish from the same file agrees across builds.
  const args = (out) => ["superpose", "--init", v0, "--loss", "exp", "--steps", "20", "--polish", "0.5", "--out", out, "--json"];
  const n = run("native", args(path.join(tmp, "v-polish-native.npy")));
  const w = run("wasm", args(path.join(tmp, "v-polish-wasm.npy")));
  assert.equal(n.polish_steps, 10);
  close(n.worst_abs_cos, w.worst_abs_cos, 1e-3, "polish worst_abs_cos");
});

test("training: same accuracy from the same seed", () => {
  const args = ["train", "--d", "64", "--hidden", "48", "--steps", "200", "--seed", "3", "--json"];
  const [n, w] = both(args);
  assert.equal(n.facts, w.facts);
  assert.equal(n.params, w.params);
  close(n.accuracy, w.accuracy, 0.01, "accuracy");
});
