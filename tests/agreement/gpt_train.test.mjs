// The transformer's training through the real CLIs: native and wasm (under node) train the
// same small model from the same seed and must write the same model.safetensors, byte for
// byte (src/core/gpt/kernels.hpp: every build rounds alike), and evaluate it alike.
//   node --test tests/agreement/
// Env: FACTLAB_NATIVE_CLI, FACTLAB_WASM_CLI as in agreement.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const nativeCli = process.env.FACTLAB_NATIVE_CLI || path.join(root, "build/native-release/factlab-cli");
const wasmCli = process.env.FACTLAB_WASM_CLI || path.join(root, "build-wasm/factlab-cli.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "factlab-gpt-agree-"));

function run(which, args) {
  const opts = { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "ignore"] };
  const out = which === "native" ? execFileSync(nativeCli, args, opts) : execFileSync(process.execPath, [wasmCli, ...args], opts);
  return JSON.parse(out);
}

test("gpt train: native and wasm write the same weights, bit for bit, and agree on gpt eval", () => {
  const small = ["--layers", "1", "--d", "32", "--heads", "2", "--mlp", "64", "--steps", "40", "--batch", "64", "--seed", "7", "--json"];
  const dirs = { native: path.join(tmp, "native"), wasm: path.join(tmp, "wasm") };
  const trained = {};
  for (const which of ["native", "wasm"]) trained[which] = run(which, ["gpt", "train", ...small, "--out", dirs[which]]);
  for (const key of ["steps", "batch", "context", "params", "accuracy", "held_out_accuracy"])
    assert.equal(trained.native[key], trained.wasm[key], key);
  for (const file of ["model.safetensors", "config.json", "vocab.json"])
    assert.ok(fs.readFileSync(path.join(dirs.native, file)).equals(fs.readFileSync(path.join(dirs.wasm, file))), `${file} differs`);
  const evals = ["native", "wasm"].map(w => run(w, ["gpt", "eval", "--model", dirs.native, "--json"]));
  assert.deepEqual(evals[0], evals[1]);
  assert.ok(evals[0].prompts === 1515);
});

test("gpt eval: the built-in model knows every fact on the training templates, natively and in wasm", () => {
  const [n, w] = ["native", "wasm"].map(which => run(which, ["gpt", "eval", "--json"]));
  assert.deepEqual(n, w);
  assert.equal(n.accuracy, 1);
  assert.equal(n.correct, 1515);
});
