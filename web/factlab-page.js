// factlab-page.js: the page glue around the wasm module. No framework.
//
//   window.factlab      the public JS API (README "JS API"): ready, lookup,
//                       getState, setState, views, superposition, loadFacts, message,
//                       gpt.predict / gpt.lens / gpt.trace (the transformer lab),
//                       firstFrameMs
//   window.factlabPage  what the C++ side calls (src/platform/platform_web.cpp):
//                       setHash, copy, save, pickFile, postToHost, firstFrame,
//                       fatal, prefs
//
// [1] API and start-up       [5] touch -> mouse, wheel
// [2] preferences, theme     [6] on-screen keyboard for text fields
// [3] clipboard and gestures [7] host pages: postMessage (docs/embed.md)
// [4] focus, paste           [8] embed link, WebGL context loss, files
//
// Text from links and messages only ever reaches the DOM as textContent.
(function () {
  "use strict";
  var t0 = performance.now();
  var canvas = document.getElementById("canvas");
  var query = new URLSearchParams(location.search);
  var embedded = /^(1|true|yes|on)?$/.test(query.get("embed") === null ? "x" : query.get("embed"));
  var MAX_MESSAGE = 16384;

  // ---- [1] API and start-up ------------------------------------------------
  var readyResolve, readyReject, started = false;
  var api = {
    ready: new Promise(function (res, rej) { readyResolve = res; readyReject = rej; }),
    firstFrameMs: null,
    lookup: function (subject) { return JSON.parse(call("factlab_lookup_json", "string", ["string"], [String(subject)])); },
    getState: function () { return call("factlab_get_state", "string", [], []); },
    setState: function (q) { return JSON.parse(call("factlab_set_state", "string", ["string"], [String(q)])); },
    views: function () { return JSON.parse(call("factlab_views_json", "string", [], [])); },
    // The superposition lab's main run: step, worst pair, frame rate while it ran.
    superposition: function () { return JSON.parse(call("factlab_superposition_json", "string", [], [])); },
    // The postMessage protocol, called directly: returns the reply object (or null).
    message: function (msg) {
      var text = typeof msg === "string" ? msg : JSON.stringify(msg);
      var reply = call("factlab_message", "string", ["string"], [text]);
      return reply ? JSON.parse(reply) : null;
    },
    loadFacts: function (name, text) {
      var bytes = new TextEncoder().encode(String(text));
      var p = Module._malloc(bytes.length + 1);
      Module.HEAPU8.set(bytes, p);
      try { return JSON.parse(Module.ccall("factlab_load_facts", "string", ["string", "number", "number"], [String(name), p, bytes.length])); }
      finally { Module._free(p); }
    },
  };
  window.factlab = api;

  // ---- factlab.gpt: the transformer lab (tracelab; src/platform/web_gpt.cpp) ----
  // predict(prompt, {top}), lens(prompt, {top}), trace(prompt, {subject, samples, window,
  // seed, noise_multiplier}) return the object `factlab-cli gpt predict|lens|trace --json`
  // prints for the same model and options; a refused prompt throws with the CLI's message.
  function gptCall(name, prompt, options) {
    var out = JSON.parse(call(name, "string", ["string", "string"], [String(prompt), JSON.stringify(options || {})]));
    if (out && typeof out.error === "string" && Object.keys(out).length === 1) throw new Error(out.error);
    return out;
  }
  api.gpt = {
    predict: function (prompt, options) { return gptCall("factlab_gpt_predict", prompt, options); },
    lens: function (prompt, options) { return gptCall("factlab_gpt_lens", prompt, options); },
    trace: function (prompt, options) { return gptCall("factlab_gpt_trace", prompt, options); },
  };
  // ---- end of factlab.gpt ----

  function call(name, ret, types, args) {
    if (!started) throw new Error("factlab is still loading: await factlab.ready first");
    return Module.ccall(name, ret, types, args);
  }
  function exp(name) { return started && Module["_" + name]; }   // a raw export, once running

  function fatal(msg) {
    var el = document.getElementById("fatal");
    el.textContent = msg;            // never innerHTML: messages may carry URL text
    el.hidden = false;
    document.getElementById("loading").hidden = true;
    document.documentElement.classList.add("stopped");
    readyReject(new Error(msg));
    readyReject = function () {};
  }

  // WebGL2 is required; say so plainly instead of showing a blank canvas.
  var probe = document.createElement("canvas").getContext("webgl2");
  var noWebGL2 = !probe;
  if (noWebGL2) fatal("factlab needs WebGL2, which this browser does not offer (or has turned off). " +
                      "Try a current Firefox, Chrome, Edge or Safari, or turn on hardware acceleration.");
  probe = null;

  // ---- [2] preferences, theme ---------------------------------------------
  function media(q) { return window.matchMedia ? window.matchMedia(q) : { matches: false, addEventListener: function () {} }; }
  var mq = { dark: media("(prefers-color-scheme: dark)"), motion: media("(prefers-reduced-motion: reduce)"),
             coarse: media("(pointer: coarse)") };
  var prefs = {};
  function readPrefs() {
    prefs.dark = mq.dark.matches;
    prefs.reducedMotion = mq.motion.matches;
    prefs.coarse = mq.coarse.matches;
  }
  readPrefs();
  Object.keys(mq).forEach(function (k) {
    if (mq[k].addEventListener) mq[k].addEventListener("change", readPrefs);
  });
  // The page's own colours (loading screen, messages) follow theme= in the link, else the system.
  var linkTheme = (location.hash.match(/(?:^#|&)theme=(light|dark)/) || query.get("theme") && [0, query.get("theme")] || [])[1];
  if (linkTheme === "light" || linkTheme === "dark") document.documentElement.setAttribute("data-theme", linkTheme);
  if (embedded) document.documentElement.classList.add("embedded");

  // ---- [3] clipboard and gestures -------------------------------------------
  // Browsers let a page write the clipboard only during a user gesture, but
  // ImGui sees clicks a frame later, inside requestAnimationFrame. So on every
  // mouseup / keydown / touchend we run one frame right away (factlab_frame_now):
  // the click's copy then happens inside the gesture and is written at once.
  var pendingCopy = null, inGesture = false;
  function copyText(text) {
    pendingCopy = String(text);
    if (!inGesture) setTimeout(flushCopy, 0);   // not in a gesture (keyboard nav...): try anyway
  }
  function flushCopy() {
    if (pendingCopy === null) return;
    var text = pendingCopy;
    pendingCopy = null;
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext && clipboardAllowed()) {
      navigator.clipboard.writeText(text).then(null, function () { if (!legacyCopy(text)) showCopyBox(text); });
    } else if (!legacyCopy(text)) {
      showCopyBox(text);
    }
  }
  // An iframe without allow="clipboard-write" may not use the Clipboard API
  // (asking anyway logs an error): go straight to the older way.
  function clipboardAllowed() {
    var pp = document.permissionsPolicy || document.featurePolicy;
    try { return !pp || !pp.allowsFeature || pp.allowsFeature("clipboard-write"); } catch (e) { return true; }
  }
  function legacyCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.cssText = "position:fixed;left:-9999px;top:0;opacity:0";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    ta.remove();
    canvas.focus({ preventScroll: true });
    return ok;
  }
  // Last resort: show the text, selected, for the reader to copy by hand.
  function showCopyBox(text) {
    var box = document.getElementById("copybox");
    box.querySelector("textarea").value = text;
    box.hidden = false;
    box.querySelector("textarea").select();
  }
  document.getElementById("copybox-close").addEventListener("click", function () {
    document.getElementById("copybox").hidden = true;
    canvas.focus({ preventScroll: true });
  });
  function gestureFrame() {
    var f = exp("factlab_frame_now");
    if (!f || contextLost) return;
    inGesture = true;
    try { f(); } finally { inGesture = false; }
    flushCopy();
  }
  // GLFW only hears mouseup on the canvas: a release outside it would leave the
  // button stuck, so pass it on.
  window.addEventListener("mouseup", function (e) {
    if (e.target !== canvas && e.isTrusted && started && mouseDownOnCanvas) {
      canvas.dispatchEvent(new MouseEvent("mouseup", { clientX: e.clientX, clientY: e.clientY, button: e.button, bubbles: false }));
    }
    mouseDownOnCanvas = false;
    gestureFrame();
  });
  var mouseDownOnCanvas = false;
  canvas.addEventListener("mousedown", function () { mouseDownOnCanvas = true; });
  // Keys: ImGui activates a focused button on press or on release.
  function keyGesture(e) {
    if (e.target === canvas || e.target === document.body || e.target === kbd) gestureFrame();
  }
  window.addEventListener("keydown", keyGesture);
  window.addEventListener("keyup", keyGesture);

  // ---- [4] focus, paste ---------------------------------------------------
  // Inside an iframe, keys reach factlab only when it has focus: take it on press.
  canvas.addEventListener("pointerdown", function () {
    if (document.activeElement !== canvas && document.activeElement !== kbd) canvas.focus({ preventScroll: true });
  });
  window.addEventListener("paste", function (e) {   // typed into the ImGui text field that has focus
    var t = e.clipboardData && e.clipboardData.getData("text/plain");
    if (t && exp("factlab_paste")) {
      e.preventDefault();
      Module.ccall("factlab_paste", null, ["string"], [t.replace(/[\r\n\t]+/g, " ").slice(0, 4096)]);
    }
  });

  // ---- [5] touch -> mouse, wheel -------------------------------------------
  // Emscripten 3.1.6's GLFW drops touch coordinates, so fingers are turned into
  // mouse events here: a tap clicks, a drag that starts on a control drags it,
  // a drag that starts on empty space scrolls, two fingers scroll and pinch.
  // Wheel deltas are normalised too: this GLFW hands the browser's raw pixels to
  // ImGui, which expects one unit per notch, positive upward.
  function mouse(type, x, y) {
    canvas.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, button: 0, buttons: type === "mouseup" ? 0 : 1,
                                                 bubbles: type === "mouseup", cancelable: true, view: window }));
  }
  function wheel(dx, dy, x, y) {      // dx, dy in ImGui wheel units (+ = scroll up/left)
    if (!dx && !dy) return;
    canvas.dispatchEvent(new WheelEvent("wheel", { deltaX: dx, deltaY: dy, deltaMode: 0, clientX: x, clientY: y,
                                                   bubbles: false, cancelable: true }));
  }
  function unitsPerPixel() {            // one ImGui wheel unit scrolls 5 font heights (device px)
    var f = exp("factlab_font_px");
    var fontCss = (f ? f() : 16) / (window.devicePixelRatio || 1);
    return 1 / (5 * Math.max(8, fontCss));
  }
  function fingerScroll(dx, dy) {       // CSS px the content should follow; chains to outer panels
    var f = exp("factlab_touch_scroll"), r = window.devicePixelRatio || 1;
    if (f && (dx || dy)) f(dx * r, dy * r);
  }
  window.addEventListener("wheel", function (e) {
    if (e.target !== canvas || !e.isTrusted) return;
    e.stopPropagation();
    e.preventDefault();
    var k = e.deltaMode === 1 ? 1 / 3 : e.deltaMode === 2 ? 5 : 1 / 100;   // lines: 3 a notch; pixels: 100
    wheel(-e.deltaX * k, -e.deltaY * k, e.clientX, e.clientY);
  }, { capture: true, passive: false });

  var touch = null;   // {id, x, y, x0, y0, mode: "press"|"drag"|"scroll"|"two", ...}
  var hoverTimer = 0;
  function pt(t) { return { x: t.clientX, y: t.clientY }; }
  function mid(ts) { return { x: (ts[0].clientX + ts[1].clientX) / 2, y: (ts[0].clientY + ts[1].clientY) / 2,
                              d: Math.hypot(ts[0].clientX - ts[1].clientX, ts[0].clientY - ts[1].clientY) }; }
  function away() { canvas.dispatchEvent(new MouseEvent("mousemove", { clientX: -100000, clientY: -100000, view: window })); }
  function releaseWithoutClick(p) {   // move off the item first, so letting go clicks nothing
    away();
    canvas.dispatchEvent(new MouseEvent("mouseup", { clientX: -100000, clientY: -100000, button: 0, view: window }));
    if (p) mouse("mousemove", p.x, p.y);
  }
  function onTouch(e) {
    if (e.target !== canvas || !started) return;
    e.stopPropagation();               // GLFW's own touch handlers would press at a stale position
    if (e.cancelable) e.preventDefault();
    clearTimeout(hoverTimer);
    var ts = e.touches;
    if (e.type === "touchstart") {
      if (document.activeElement !== canvas && document.activeElement !== kbd) canvas.focus({ preventScroll: true });
      if (ts.length === 1) {
        var p = pt(ts[0]);
        touch = { id: ts[0].identifier, x: p.x, y: p.y, x0: p.x, y0: p.y, mode: "press" };
        mouse("mousemove", p.x, p.y);
        mouse("mousedown", p.x, p.y);
        var f = exp("factlab_frame_now");
        if (f) f();                    // let ImGui see the press: is it on a control?
      } else if (ts.length === 2) {
        if (touch && (touch.mode === "press" || touch.mode === "drag")) releaseWithoutClick();
        var m = mid(ts);
        touch = { mode: "two", x: m.x, y: m.y, d: m.d };
        mouse("mousemove", m.x, m.y);
      }
      return;
    }
    if (!touch) return;
    if (e.type === "touchmove") {
      if (touch.mode === "two") {
        if (ts.length < 2) return;
        var m2 = mid(ts), u = unitsPerPixel();
        mouse("mousemove", m2.x, m2.y);
        // Two fingers pan like one; spreading them zooms in (a wheel step up, for views that zoom).
        fingerScroll(m2.x - touch.x, m2.y - touch.y);
        wheel(0, (m2.d - touch.d) * u, m2.x, m2.y);
        touch.x = m2.x; touch.y = m2.y; touch.d = m2.d;
        return;
      }
      var t = null;
      for (var i = 0; i < ts.length; ++i) if (ts[i].identifier === touch.id) t = ts[i];
      if (!t) return;
      var q = pt(t);
      if (touch.mode === "press" && Math.hypot(q.x - touch.x0, q.y - touch.y0) > 8) {
        // Scroll unless the finger went down on something that wants this drag:
        // scrollbars and gesture areas take any drag, sliders and plots a sideways one.
        var f = exp("factlab_pointer_target"), target = f ? f() : 0;
        var sideways = Math.abs(q.x - touch.x0) > Math.abs(q.y - touch.y0);
        var drag = target === 2 || target === 3 || ((target === 1 || target === 4) && sideways);
        touch.mode = drag ? "drag" : "scroll";
        if (!drag) releaseWithoutClick({ x: touch.x, y: touch.y });
      }
      if (touch.mode === "drag" || touch.mode === "press") mouse("mousemove", q.x, q.y);
      else if (touch.mode === "scroll") {
        fingerScroll(q.x - touch.x, q.y - touch.y);
      }
      touch.x = q.x; touch.y = q.y;
      return;
    }
    // touchend / touchcancel
    if (touch.mode === "two") { if (ts.length === 0) { touch = null; hoverTimer = setTimeout(away, 300); } return; }
    if (e.type === "touchcancel") { releaseWithoutClick(); touch = null; return; }
    var mode = touch.mode;
    if (mode === "press" || mode === "drag") mouse("mouseup", touch.x, touch.y);   // -> gestureFrame
    touch = null;
    maybeShowKeyboard();
    // A tap leaves the pointer where it was, like a phone browser's sticky hover:
    // tapping a plot shows its read-out. After a scroll, nothing should stay hovered.
    if (mode === "scroll") hoverTimer = setTimeout(away, 300);
  }
  ["touchstart", "touchmove", "touchend", "touchcancel"].forEach(function (type) {
    window.addEventListener(type, onTouch, { capture: true, passive: false });
  });

  // ---- [6] on-screen keyboard for text fields --------------------------------
  // A canvas cannot summon a phone's keyboard. When a tap puts ImGui into a text
  // field, a hidden <input> takes focus (the keyboard opens) and its typing is
  // passed on as key events; physical keyboards go straight to GLFW as usual.
  var kbd = document.getElementById("kbd");
  function maybeShowKeyboard() {
    var f = exp("factlab_wants_text");
    if (f && f() && document.activeElement !== kbd) { kbd.value = ""; kbd.focus({ preventScroll: true }); watchKeyboard(); }
  }
  function watchKeyboard() {
    var f = exp("factlab_wants_text");
    if (document.activeElement !== kbd) return;
    if (f && !f()) { kbd.blur(); canvas.focus({ preventScroll: true }); return; }
    setTimeout(watchKeyboard, 250);
  }
  function key(type, code, chr) {
    window.dispatchEvent(new KeyboardEvent(type, { keyCode: code, which: code, charCode: chr || 0, bubbles: true, cancelable: true }));
  }
  function tapKey(code) {     // ImGui 1.86 reads keys as held or not: hold it for one frame
    key("keydown", code);
    gestureFrame();
    key("keyup", code);
  }
  // A real key (keydown with a key code) reaches GLFW itself; text that arrives
  // without one (on-screen keyboards, IMEs: key code 229, or no keydown at all) is passed on.
  var realKeyAt = -1e9;
  kbd.addEventListener("keydown", function (e) {
    if (e.keyCode !== 229 && e.key !== "Unidentified" && e.key !== "Process") realKeyAt = performance.now();
  });
  kbd.addEventListener("input", function (e) {
    if (performance.now() - realKeyAt < 100) { kbd.value = ""; return; }   // GLFW already has it
    if (e.inputType && e.inputType.indexOf("delete") === 0) tapKey(8);
    var text = e.data || "";
    for (var i = 0; i < text.length; ++i) key("keypress", 0, text.charCodeAt(i));
    kbd.value = "";
  });
  kbd.addEventListener("keyup", function (e) {      // Enter from an on-screen keyboard
    if ((e.keyCode === 13 || e.key === "Enter") && performance.now() - realKeyAt > 1000) tapKey(13);
  });

  // ---- [7] host pages: postMessage (docs/embed.md) ---------------------------
  // Messages are validated in C++ (src/ui/state_message.cpp); here they are only
  // bounded, queued until factlab runs, and answered to their sender's origin.
  var inbox = [];
  function post(target, origin, text) {
    try { target.postMessage(JSON.parse(text), origin === "null" || !origin ? "*" : origin); } catch (e) { /* closed */ }
  }
  function handle(ev) {
    var data = ev.data, text;
    if (typeof data === "string") {
      if (data.indexOf("factlab:") < 0) return;             // other scripts' messages
      text = data;
    } else if (data && typeof data === "object" && typeof data.type === "string" && data.type.indexOf("factlab:") === 0) {
      try { text = JSON.stringify(data); } catch (e) { text = "{\"type\":\"factlab:bad\"}"; }
    } else {
      return;
    }
    if (text.length > MAX_MESSAGE) text = text.slice(0, MAX_MESSAGE + 1);   // C++ refuses it, saying why
    var reply = Module.ccall("factlab_message", "string", ["string"], [text]);
    if (reply && ev.source) post(ev.source, ev.origin, reply);
  }
  var live = false;                    // the first frame ran: the link's state is in place
  window.addEventListener("message", function (ev) {
    if (ev.source === window) return;
    if (!live) { if (inbox.length < 32) inbox.push(ev); return; }
    handle(ev);
  });

  // ---- [8] embed link, WebGL context loss, files -----------------------------
  var lastHash = null;
  var openLink = document.getElementById("open-full");
  function updateOpenLink(h) {
    if (!embedded) return;
    var base = location.href.split("#")[0].split("?")[0];
    openLink.href = base + (h ? "#" + h : "");
    openLink.hidden = false;
  }
  var contextLost = false, lostTimer = 0;
  canvas.addEventListener("webglcontextlost", function (e) {
    e.preventDefault();                // tells the browser we will restore
    contextLost = true;
    var note = document.getElementById("glnote");
    note.textContent = "The graphics were reset by the browser. Restoring\u2026";
    note.hidden = false;
    lostTimer = setTimeout(function () {
      note.textContent = "The graphics were reset by the browser and did not come back. Reload the page to continue.";
    }, 8000);
  }, false);
  canvas.addEventListener("webglcontextrestored", function () {
    clearTimeout(lostTimer);
    contextLost = false;
    var f = exp("factlab_gl_context_restored");
    if (f) f();
    document.getElementById("glnote").hidden = true;
  }, false);

  window.factlabPage = {
    prefs: prefs,
    setHash: function (h) {
      lastHash = h;
      history.replaceState(null, "", location.pathname + location.search + (h ? "#" + h : ""));
      updateOpenLink(h);
    },
    copy: copyText,
    save: function (name, bytes, mime) {
      var url = URL.createObjectURL(new Blob([bytes], { type: mime || "application/octet-stream" }));
      var a = document.createElement("a");
      a.href = url; a.download = name;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    },
    pickFile: function () {            // called inside a click's gesture (factlab_frame_now)
      var old = document.getElementById("facts-input");
      if (old) old.remove();
      var input = document.createElement("input");
      input.type = "file"; input.accept = ".csv,text/csv,text/plain"; input.id = "facts-input";
      input.style.cssText = "position:fixed;left:-9999px;top:0";
      input.onchange = function () { if (input.files[0]) readFacts(input.files[0]); input.remove(); };
      document.body.appendChild(input);       // some browsers open pickers only for attached inputs
      input.click();
    },
    postToHost: function (json) {
      if (window.parent && window.parent !== window) window.parent.postMessage(JSON.parse(json), "*");
    },
    firstFrame: function () {
      api.firstFrameMs = performance.now() - t0;
      document.getElementById("loading").hidden = true;
      live = true;
      var queued = inbox;
      inbox = [];
      queued.forEach(handle);
      readyResolve(api);
    },
    fatal: fatal,
  };

  function readFacts(file) {
    if (file.size > 8 * 1024 * 1024) {
      api.loadFacts(file.name, "");
      return;
    }
    file.text().then(function (text) { api.loadFacts(file.name, text); });
  }

  // Back/forward or an edited hash: restore that state.
  window.addEventListener("hashchange", function () {
    var h = location.hash.replace(/^#/, "");
    if (h !== lastHash && started) { lastHash = h; api.setState(h); }
  });
  // A facts CSV dropped anywhere on the page (not in an embed).
  var dropNote = document.getElementById("dropnote");
  window.addEventListener("dragover", function (e) {
    e.preventDefault();
    if (!embedded && e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0) dropNote.hidden = false;
  });
  window.addEventListener("dragleave", function (e) { if (!e.relatedTarget) dropNote.hidden = true; });
  window.addEventListener("drop", function (e) {
    e.preventDefault();
    dropNote.hidden = true;
    if (!embedded && started && e.dataTransfer && e.dataTransfer.files[0]) readFacts(e.dataTransfer.files[0]);
  });

  window.Module = {
    canvas: canvas,
    print: function (t) { console.log(t); },
    printErr: function (t) { console.warn(t); },
    setStatus: function (s) { if (s) document.getElementById("loading-text").textContent = s.replace(/\(.*\)/, "\u2026"); },
    onAbort: function (what) { fatal("factlab stopped: " + what); },
    onRuntimeInitialized: function () {
      started = true;
      updateOpenLink(location.hash.replace(/^#/, ""));
    },
  };
  // Without WebGL2 the 1 MB module is not even fetched.
  if (!noWebGL2) {
    var s = document.createElement("script");
    s.src = "factlab.js";
    s.async = true;
    s.onerror = function () { fatal("factlab could not load its program (factlab.js). Check the connection and reload."); };
    document.body.appendChild(s);
  }
})();
