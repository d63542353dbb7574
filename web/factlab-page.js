// factlab-page.js: the page glue around the wasm module.
// window.factlab is the public JS API (README "JS API"); window.factlabPage is
// what the C++ side calls (src/platform/platform_web.cpp). No framework needed.
(function () {
  "use strict";
  var t0 = performance.now();
  var canvas = document.getElementById("canvas");
  var readyResolve, readyReject;
  var api = {
    ready: new Promise(function (res, rej) { readyResolve = res; readyReject = rej; }),
    firstFrameMs: null,
    lookup: function (subject) { return JSON.parse(call("factlab_lookup_json", "string", ["string"], [String(subject)])); },
    getState: function () { return call("factlab_get_state", "string", [], []); },
    setState: function (q) { return JSON.parse(call("factlab_set_state", "string", ["string"], [String(q)])); },
    loadFacts: function (name, text) {
      var bytes = new TextEncoder().encode(String(text));
      var p = Module._malloc(bytes.length + 1);
      Module.HEAPU8.set(bytes, p);
      try { return JSON.parse(Module.ccall("factlab_load_facts", "string", ["string", "number", "number"], [String(name), p, bytes.length])); }
      finally { Module._free(p); }
    },
  };
  window.factlab = api;

  function call(name, ret, types, args) {
    if (!window.Module || !Module.calledRun) throw new Error("factlab is still loading: await factlab.ready first");
    return Module.ccall(name, ret, types, args);
  }

  function fatal(msg) {
    var el = document.getElementById("fatal");
    el.textContent = msg;            // never innerHTML: messages may carry URL text
    el.hidden = false;
    document.getElementById("loading").hidden = true;
    readyReject(new Error(msg));
  }

  // WebGL2 is required; say so plainly instead of showing a blank canvas.
  var probe = document.createElement("canvas").getContext("webgl2");
  if (!probe) { fatal("factlab needs WebGL2, which this browser does not offer. Try a current Firefox, Chrome or Safari."); }

  var lastHash = null;
  window.factlabPage = {
    setHash: function (h) {
      lastHash = h;
      history.replaceState(null, "", location.pathname + location.search + (h ? "#" + h : ""));
    },
    copy: function (text) {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).catch(function () { prompt("Copy this:", text); });
      } else { prompt("Copy this:", text); }
    },
    save: function (name, bytes, mime) {
      var url = URL.createObjectURL(new Blob([bytes], { type: mime || "application/octet-stream" }));
      var a = document.createElement("a");
      a.href = url; a.download = name;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    },
    pickFile: function () {
      var input = document.createElement("input");
      input.type = "file"; input.accept = ".csv,text/csv,text/plain";
      input.onchange = function () { if (input.files[0]) readFacts(input.files[0]); };
      input.click();
    },
    postToHost: function (json) {
      if (window.parent && window.parent !== window) window.parent.postMessage(JSON.parse(json), "*");
    },
    firstFrame: function () {
      api.firstFrameMs = performance.now() - t0;
      document.getElementById("loading").hidden = true;
      readyResolve(api);
    },
    fatal: fatal,
  };

  function readFacts(file) {
    if (file.size > 8 * 1024 * 1024) { api.loadFacts(file.name, ""); return; }
    file.text().then(function (text) { api.loadFacts(file.name, text); });
  }

  // Back/forward or an edited hash: restore that state.
  window.addEventListener("hashchange", function () {
    var h = location.hash.replace(/^#/, "");
    if (h !== lastHash && window.Module && Module.calledRun) { lastHash = h; api.setState(h); }
  });
  // Facts CSV dropped anywhere on the page.
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files[0]) readFacts(e.dataTransfer.files[0]);
  });

  window.Module = {
    canvas: canvas,
    print: function (t) { console.log(t); },
    printErr: function (t) { console.warn(t); },
    setStatus: function (s) { if (s) document.getElementById("loading-text").textContent = s.replace(/\(.*\)/, "…"); },
    onAbort: function (what) { fatal("factlab stopped: " + what); },
  };
  canvas.addEventListener("webglcontextlost", function (e) { e.preventDefault(); }, false);
})();
