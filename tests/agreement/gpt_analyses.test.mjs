// Same model, same seed, same numbers: the transformer's analyses from the native CLI and
// the wasm CLI (under node) print identical JSON (the kernels round alike everywhere and the
// trace's noise comes from factlab::Rng), for the built-in model.
//   node --test tests/agreement/
// Env: FACTLAB_NATIVE_CLI (default build/native-release/factlab-cli),
//      FACTLAB_WASM_CLI (default build-wasm/factlab-cli.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const nativeCli = process.env.FACTLAB_NATIVE_CLI || path.join(root, "build/native-release/factlab-cli");
const wasmCli = process.env.FACTLAB_WASM_CLI || path.join(root, "build-wasm/factlab-cli.js");

function run(which, args) {
  const out = which === "native"
    ? execFileSync(nativeCli, args, { encoding: "utf8", maxBuffer: 64 << 20 })
    : execFileSync(process.execPath, [wasmCli, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

const prompt = "The sport played by Michael Jordan is";
for (const args of [
  ["gpt", "predict", "--prompt", prompt, "--top", "10", "--json"],
  ["gpt", "lens", "--prompt", prompt, "--json"],
  ["gpt", "trace", "--prompt", prompt, "--samples", "10", "--seed", "5", "--json"],
  ["gpt", "knockout", "--prompt", "Michael Jordan played for the", "--json"],
  ["gpt", "neurons", "--subject", "Michael Jordan", "--relation", "sport", "--json"],
  ["gpt", "gate", "--prompt", "Michael Jordan wore the number", "--top", "512", "--json"],
]) {
  test(`${args[1]}: native and wasm print the same JSON`, () => {
    const n = run("native", args), w = run("wasm", args);
    assert.deepEqual(w, n);
  });
}
