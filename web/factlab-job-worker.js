// factlab-job-worker.js: a Web Worker that runs one long job (a transformer's
// training, the capacity sweep, the learned block's training, the interference series; src/worker/worker_jobs.cpp, src/core/jobs_long.hpp).
// It loads the page's own module (factlab.js / factlab.wasm, cached by the browser)
// without running main(): the jobs' code is already in it, so the site carries no
// second copy of the transformer and the block trainer. Nothing here touches the DOM
// or GL; only the job exports are called. Messages are ArrayBuffers, transferred.
"use strict";
var fjQueue = [], fjReady = false, fjPending = false, fjChannel = new MessageChannel();
var Module = {
  noInitialRun: true,
  print: function (t) { console.log("[factlab job] " + t); },
  printErr: function (t) { console.warn("[factlab job] " + t); },
  onRuntimeInitialized: function () { fjReady = true; fjQueue.splice(0).forEach(fjRun); },
  onAbort: function (what) { postMessage({ type: "failed", why: String(what) }); },
};
function fjPost(n) {
  if (n <= 0) return;
  var r = Module._fw_job_reply(), out = Module.HEAPU8.slice(r, r + n);
  postMessage(out.buffer, [out.buffer]);
}
// One chunk per turn of this worker's event loop, so the page's "allow" messages are read between chunks.
function fjNext() {
  if (!fjPending && Module._fw_job_busy()) { fjPending = true; fjChannel.port2.postMessage(0); }
}
fjChannel.port1.onmessage = function () { fjPending = false; fjPost(Module._fw_job_step()); fjNext(); };
function fjRun(buf) {
  var bytes = new Uint8Array(buf);
  var p = Module._fw_job_alloc(bytes.length);
  Module.HEAPU8.set(bytes, p);
  fjPost(Module._fw_job_run(bytes.length));
  fjNext();
}
onmessage = function (e) {
  if (!(e.data instanceof ArrayBuffer)) return;
  if (fjReady) fjRun(e.data); else fjQueue.push(e.data);
};
// The page's glue names document and window at load (a table of event targets);
// nothing here calls the code that would use them.
var document = {}, window = self;
try {
  importScripts("factlab.js");
} catch (err) {
  postMessage({ type: "failed", why: "could not load factlab.js: " + err.message });
}
