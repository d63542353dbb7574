// factlab-worker.js: one Web Worker of the page. It loads the core-only module
// (factlab-core.js / .wasm, built from src/worker) and answers each message, an
// ArrayBuffer laid out by src/core/jobs.hpp, with another one (transferred, not
// copied). No SharedArrayBuffer: this works in cross-origin iframes and on
// hosts that send no COOP/COEP headers.
"use strict";
// Names start with fw: the Emscripten glue loaded below declares globals of its own (run, ...).
var fwQueue = [], fwRunning = false;
var Module = {
  print: function (t) { console.log("[factlab worker] " + t); },
  printErr: function (t) { console.warn("[factlab worker] " + t); },
  onRuntimeInitialized: function () { fwRunning = true; postMessage({ type: "ready" }); fwQueue.splice(0).forEach(fwRun); },
  onAbort: function (what) { postMessage({ type: "failed", why: String(what) }); },
};
function fwRun(buf) {
  var bytes = new Uint8Array(buf);
  var p = Module._fw_alloc(bytes.length);
  Module.HEAPU8.set(bytes, p);
  var n = Module._fw_run(bytes.length);
  var r = Module._fw_reply();
  var out = Module.HEAPU8.slice(r, r + n);
  postMessage(out.buffer, [out.buffer]);
}
onmessage = function (e) {
  if (!(e.data instanceof ArrayBuffer)) return;
  if (fwRunning) fwRun(e.data); else fwQueue.push(e.data);
};
try {
  importScripts("factlab-core.js");
} catch (err) {
  postMessage({ type: "failed", why: "could not load factlab-core.js: " + err.message });
}
