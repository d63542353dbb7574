// factlab-page.js: the page glue around the wasm module. No framework.
//
//   window.factlab      the public JS API (README "JS API"): ready, lookup,
//                       getState, setState, views, superposition, jobs, loadFacts, message, tour,
//                       gpt.predict / gpt.lens / gpt.trace (the transformer lab),
//                       firstFrameMs
//   window.factlabPage  what the C++ side calls (src/platform/platform_web.cpp):
//                       setHash, copy, save, pickFile, postToHost, firstFrame,
//                       fatal, prefs, liveText
//
// [1] API and start-up       [5] touch -> mouse, wheel
// [2] preferences, theme     [6] on-screen keyboard for text fields
// [3] clipboard and gestures [7] host pages: postMessage (docs/embed.md)
// [4] focus, paste           [8] embed link, WebGL context loss, files
//                             [9] idle: frames only when something changes
//                             [10] Web Workers for long jobs
//                             [11] live text: the canvas's result as DOM text
//                             [12] a worker per long job (training, sweep)
//
// Text from links and messages only ever reaches the DOM as textContent.
(function () {
  "use strict";
  var t0 = performance.now();
  var canvas = document.getElementById("canvas");
  var query = new URLSearchParams(location.search);
  var embedded = /^(1|true|yes|on)?$/.test(query.get("embed") === null ? "x" : query.get("embed"));
  // Bounds on every string that crosses into C++ (UTF-16 units; C++ checks bytes
  // again and says why it refused): a longer text is cut just past the bound, so
  // C++ still sees that it was too long, and never has to hold all of it.
  var MAX_MESSAGE = 16384;                 // a host message (HostMessageLimits::max_bytes)
  var MAX_FACTS = 8 * 1024 * 1024;         // a facts CSV (ParseLimits::max_bytes)
  var MAX_FACTS_MESSAGE = 2 * MAX_FACTS + 65536;   // a factlab:facts message: CSV as JSON text
  var MAX_LINK = 3 * 4096;                 // a link's state text (3 x StateLimits::max_text)
  var MAX_SUBJECT = 4096, MAX_NAME = 256, MAX_PASTE = 4096;

  // ---- [1] API and start-up ------------------------------------------------
  var readyResolve, readyReject, started = false;
  var api = {
    ready: new Promise(function (res, rej) { readyResolve = res; readyReject = rej; }),
    firstFrameMs: null,
    lookup: function (subject) { return JSON.parse(callText("factlab_lookup_json", [[subject, MAX_SUBJECT]])); },
    getState: function () { return call("factlab_get_state", "string", [], []); },
    setState: function (q) { return JSON.parse(callText("factlab_set_state", [[q, MAX_LINK]])); },
    views: function () { return JSON.parse(call("factlab_views_json", "string", [], [])); },
    // The train view's and the capacity sweep's jobs: where they run, progress, result hashes.
    jobs: function () { return JSON.parse(call("factlab_jobs_json", "string", [], [])); },
    // The superposition lab's main run: step, worst pair, frame rate while it ran.
    superposition: function () { return JSON.parse(call("factlab_superposition_json", "string", [], [])); },
    // The look: both themes' text/background pairs, the colours drawn now, details and present (docs/palette.md).
    theme: function () { return JSON.parse(call("factlab_look_json", "string", [], [])); },
    // The postMessage protocol, called directly: returns the reply object (or null).
    message: function (msg) {
      var reply = sendMessage(msg);
      return reply ? JSON.parse(reply) : null;
    },
    loadFacts: function (name, text) {
      return JSON.parse(callText("factlab_load_facts", [[name, MAX_NAME], [text, MAX_FACTS]]));
    },
    // Frames the C++ main loop has drawn (a frozen loop stops it; tests watch it).
    frameCount: function () { return call("factlab_frame_count", "number", [], []); },
    // The messages shown at the bottom of the page now: [{text, error}].
    messages: function () { return JSON.parse(call("factlab_messages_json", "string", [], [])); },
    // The tour card and the panel it talks about, this frame (ImGui pixels; "display" is the canvas in them).
    tour: function () { return JSON.parse(call("factlab_tour_json", "string", [], [])); },
    // The AND gate as last drawn: numbers ("video" | "model"), alpha, beta, bias, c, this
    // model's own {alpha, beta, c, bias}, and where things are on the page in CSS pixels:
    // line [x0, y0, x1, y1] (the boundary), plot / number / model_button [x0, y0, x1, y1].
    andGate: function () {
      var g = JSON.parse(call("factlab_andgate_json", "string", [], []));
      var r = canvas.getBoundingClientRect(), s = canvas.width / (r.width || 1);
      ["line", "plot", "number", "video_button", "model_button"].forEach(function (k) {
        if (g[k]) g[k] = g[k].map(function (v, i) { return (i % 2 ? r.top : r.left) + v / s; });
      });
      return g;
    },
  };
  window.factlab = api;

  // ---- factlab.gpt: the transformer lab (tracelab; src/platform/web_gpt.cpp) ----
  // predict(prompt, {top}), lens(prompt, {top}), trace(prompt, {subject, samples, window,
  // seed, noise_multiplier}), gate(prompt, {subject, top}) return the object `factlab-cli gpt predict|lens|trace|gate --json`
  // prints for the same model and options; a refused prompt throws with the CLI's message.
  function gptCall(name, prompt, options) {
    // Through the heap, bounded (callText): C++ refuses a text longer than 4096 bytes.
    var out = JSON.parse(callText(name, [[String(prompt), 4096], [JSON.stringify(options || {}), 4096]]));
    if (out && typeof out.error === "string" && Object.keys(out).length === 1) throw new Error(out.error);
    return out;
  }
  api.gpt = {
    predict: function (prompt, options) { return gptCall("factlab_gpt_predict", prompt, options); },
    lens: function (prompt, options) { return gptCall("factlab_gpt_lens", prompt, options); },
    trace: function (prompt, options) { return gptCall("factlab_gpt_trace", prompt, options); },
    gate: function (prompt, options) { return gptCall("factlab_gpt_gate", prompt, options); },
    // edit(subject, {relation, object, layer, steps, ft_steps}) = `gpt edit --json` (src/platform/web_gpt_edit.cpp)
    edit: function (subject, options) { return gptCall("factlab_gpt_edit", subject, options); },
  };
  // ---- end of factlab.gpt ----

  function call(name, ret, types, args) {
    if (!started) throw new Error("factlab is still loading: await factlab.ready first");
    return Module.ccall(name, ret, types, args);
  }
  // Calls a C++ export that takes (pointer, length) per text, returning a string.
  // Texts go through the heap, never through ccall's "string", which copies them
  // onto the 1 MB wasm stack without a bound (a long link overwrote memory).
  function callText(name, texts, ret) {
    if (!started) throw new Error("factlab is still loading: await factlab.ready first");
    var ptrs = [], args = [], types = [];
    try {
      texts.forEach(function (t) {
        var s = String(t[0]);
        if (s.length > t[1]) s = s.slice(0, t[1] + 1);
        var bytes = new TextEncoder().encode(s);
        var p = Module._malloc(bytes.length + 1);
        if (!p) throw new Error("factlab: out of memory for a text of " + bytes.length + " bytes");
        ptrs.push(p);
        Module.HEAPU8.set(bytes, p);      // HEAPU8 read after _malloc: the heap may have grown
        Module.HEAPU8[p + bytes.length] = 0;
        args.push(p, bytes.length);
        types.push("number", "number");
      });
      return Module.ccall(name, ret === undefined ? "string" : ret, types, args);
    } finally {
      ptrs.forEach(function (p) { Module._free(p); });
    }
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
  // An embed is a figure unless figure=0 (src/ui/common/figure.hpp). The host's bg= shows
  // from the first paint (C++ checks it again, says why when it is bad, and has the last word).
  var figureMode = embedded && !/^(0|false|no|off)$/.test(query.get("figure") || "");
  if (figureMode) {
    document.documentElement.classList.add("figure");
    var bg0 = query.get("bg") || "";
    if (bg0 === "transparent" || bg0 === "none") document.documentElement.style.setProperty("--bg", "transparent");
    else if (/^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.test(bg0)) document.documentElement.style.setProperty("--bg", "#" + bg0.replace(/^#/, ""));
  }

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
  // Tab belongs to the lab (ImGui moves between its fields; GLFW cancels the
  // browser's Tab), so a keyboard could never leave it, an embed least of all.
  // Escape, then Tab, leaves: that Tab is kept from GLFW and the browser moves
  // the focus on as usual (docs/accessibility.md). Registered before GLFW's own
  // listener (factlab.js loads later), so it runs first.
  var escapeArmed = false;
  window.addEventListener("keydown", function (e) {
    if (e.key === "Tab" && escapeArmed && !e.ctrlKey && !e.altKey) { escapeArmed = false; e.stopImmediatePropagation(); return; }
    escapeArmed = e.key === "Escape";
  }, true);
  // Inside an iframe, keys reach factlab only when it has focus: take it on press.
  canvas.addEventListener("pointerdown", function () {
    if (document.activeElement !== canvas && document.activeElement !== kbd) canvas.focus({ preventScroll: true });
  });
  window.addEventListener("paste", function (e) {   // typed into the ImGui text field that has focus
    var t = e.clipboardData && e.clipboardData.getData("text/plain");
    if (t && exp("factlab_paste")) {
      e.preventDefault();
      callText("factlab_paste", [[t.replace(/[\r\n\t]+/g, " ").slice(0, MAX_PASTE), MAX_PASTE]], null);
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
  // Messages are validated in C++ (src/ui/common/state_message.cpp); here they are
  // only bounded, queued until factlab runs, and answered to their sender's origin.
  var inbox = [];
  function post(target, origin, text) {
    try { target.postMessage(JSON.parse(text), origin === "null" || !origin ? "*" : origin); } catch (e) { /* closed */ }
  }
  // A message as the JSON text C++ parses, or null when it is not for factlab.
  // A factlab:facts message carries a whole CSV: its text is cut just past
  // MAX_FACTS (C++ then says it is too long) before it is stringified.
  function messageText(data) {
    if (typeof data === "string") return data.indexOf("factlab:") < 0 ? null : data;   // other scripts' messages
    if (!(data && typeof data === "object" && typeof data.type === "string" && data.type.indexOf("factlab:") === 0)) return null;
    if (data.type === "factlab:facts" && typeof data.csv === "string" && data.csv.length > MAX_FACTS)
      data = Object.assign({}, data, { csv: data.csv.slice(0, MAX_FACTS + 1) });
    try { return JSON.stringify(data); } catch (e) { return "{\"type\":\"factlab:bad\"}"; }
  }
  // C++ bounds each type (16 KB; a factlab:facts message up to MAX_FACTS_MESSAGE).
  function sendMessage(msg) {
    var text = typeof msg === "string" ? msg : JSON.stringify(msg);
    return callText("factlab_message", [[text, MAX_FACTS_MESSAGE]]);
  }
  function handle(ev) {
    var text = messageText(ev.data);
    if (text === null) return;
    var reply = sendMessage(text);
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

  // The hash follows the state through history.replaceState, which browsers
  // rate-limit (Safari: 100 calls in 30 s, then it throws; Chromium throttles):
  // a long slider drag would pass that. Writes are coalesced to one per
  // HASH_EVERY_MS; the last state is always written (a trailing timer).
  var HASH_EVERY_MS = 400, hashWrittenAt = -1e9, hashTimer = 0, hashShown = null;
  function writeHash() {
    if (hashTimer) return;                      // a write is already scheduled: it takes lastHash
    var wait = hashWrittenAt + HASH_EVERY_MS - performance.now();
    if (wait > 0) { hashTimer = setTimeout(function () { hashTimer = 0; writeHash(); }, wait); return; }
    if (lastHash === hashShown) return;
    hashWrittenAt = performance.now();
    try {
      history.replaceState(null, "", location.pathname + location.search + (lastHash ? "#" + lastHash : ""));
      hashShown = lastHash;
    } catch (e) {                               // refused anyway: try again later
      hashTimer = setTimeout(function () { hashTimer = 0; writeHash(); }, 4 * HASH_EVERY_MS);
    }
  }

  window.factlabPage = {
    prefs: prefs,
    setHash: function (h) {             // every state change (C++ calls it at most once a frame)
      lastHash = h;
      updateOpenLink(h);
      writeHash();
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
    figure: figureReport,
    wakeAt: function (ms) { wakeAt(ms); },
    workerCount: function () { return workerCount(); },
    workerPost: function (k, bytes) { workerPost(k, bytes); },
    liveText: function (slot, text) { liveText(slot, text); },
    jobStart: function (slot, bytes) { return jobStart(slot, bytes); },
    jobPost: function (slot, bytes) { jobPost(slot, bytes); },
    jobStop: function (slot) { jobStop(slot); },
  };

  // ---- figure embeds: the size the host should give the iframe ---------------
  // C++ reports (at most once a frame, only on change) the figure's height in CSS
  // px, footer included; the host hears {type: "factlab:size", height, width} when
  // the height or width changes, and fits the iframe (docs/embed.md).
  var figureLast = null, sizeSent = "";
  function figureReport(r) {
    figureLast = r;
    var root = document.documentElement.style;
    root.setProperty("--footer", Math.max(16, r.footer) + "px");
    if (r.background) root.setProperty("--bg", r.background);
    else root.removeProperty("--bg");
    var key = r.height + "x" + r.width;
    if (key !== sizeSent && window.parent && window.parent !== window) {
      sizeSent = key;
      window.parent.postMessage({ type: "factlab:size", height: r.height, width: r.width }, "*");
    }
  }
  // What the figure's last frame laid out (tests, hosts that poll): null outside figure embeds.
  api.figure = function () { return figureLast && Object.assign({}, figureLast); };

  // A file past the limit is read only to just past it: C++ says it is too long.
  function readFacts(file) {
    var part = file.size > MAX_FACTS ? file.slice(0, MAX_FACTS + 1) : file;
    part.text().then(function (text) { api.loadFacts(file.name, text); });
  }

  // Back/forward or an edited hash: restore that state.
  window.addEventListener("hashchange", function () {
    var h = location.hash.replace(/^#/, "");
    hashShown = h;                    // what the address bar shows now
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

  // ---- [9] idle: frames only when something changes --------------------------
  // The C++ loop pauses when a frame changed nothing (platform_web.cpp). Every
  // way the outside world reaches the lab wakes it: input events (also the
  // synthetic mouse events of [5], dispatched on the canvas), resizes, hash
  // changes, messages, drops, API calls; and it sleeps while the canvas is out
  // of view (an embed scrolled away) or the tab is hidden.
  function wake() { var f = exp("factlab_wake"); if (f) f(); }
  ["mousemove", "mousedown", "mouseup", "wheel", "keydown", "keyup", "keypress", "touchstart", "touchmove",
   "touchend", "touchcancel", "pointerdown", "pointerup", "focus", "blur", "resize", "hashchange", "message",
   "drop", "dragover", "paste", "pageshow"].forEach(function (type) {
    window.addEventListener(type, wake, { capture: true, passive: true });
  });
  canvas.addEventListener("webglcontextrestored", wake);
  Object.keys(mq).forEach(function (k) { if (mq[k].addEventListener) mq[k].addEventListener("change", wake); });
  if (window.ResizeObserver) new ResizeObserver(wake).observe(canvas);
  var inView = true;
  function visibility() {
    var f = exp("factlab_set_visible");
    if (f) f(inView && !document.hidden ? 1 : 0);
  }
  document.addEventListener("visibilitychange", visibility);
  if (window.IntersectionObserver) {
    new IntersectionObserver(function (entries) {
      inView = entries[entries.length - 1].isIntersecting;
      visibility();
    }).observe(canvas);
  }
  // API calls change the lab without any event: draw after each.
  ["lookup", "setState", "message", "loadFacts"].forEach(function (name) {
    var f = api[name];
    api[name] = function () { try { return f.apply(api, arguments); } finally { wake(); } };
  });
  api.framesDrawn = function () { var f = exp("factlab_frames_drawn"); return f ? f() : 0; };
  api.framesPainted = function () { var f = exp("factlab_frames_painted"); return f ? f() : 0; };
  api.worstFrameGap = function () { var f = exp("factlab_worst_frame_gap"); return f ? f() : 0; };
  var wakeTimer = 0;
  function wakeAt(delayMs) {      // C++: a frame is due later (a message goes away)
    clearTimeout(wakeTimer);
    wakeTimer = setTimeout(function () { var f = exp("factlab_wake_due") || exp("factlab_wake"); if (f) f(); }, Math.min(delayMs, 60000));
  }

  // ---- [11] live text: the canvas's result as DOM text (docs/accessibility.md) ----
  // C++ (src/platform/live_text.cpp) sends the current view's main result (slot 0)
  // and the tour card (slot 1) only when they change; here each is written as
  // textContent (never HTML), bounded, and at most once a second while it keeps
  // changing (a running job), so a screen reader is not flooded. The region is
  // visually hidden unless ?transcript=1 (?transcript=0 keeps it hidden) or the browser is
  // translating the page (Chrome marks <html> with translated-ltr/rtl).
  var MAX_LIVE = 2000, LIVE_EVERY_MS = 1000;
  var liveEls = [document.getElementById("live-result"), document.getElementById("live-tour")];
  var liveWant = ["", ""], liveAt = [-1e9, -1e9], liveTimer = [0, 0];
  function liveWrite(k) {
    liveTimer[k] = 0;
    liveAt[k] = performance.now();
    if (liveEls[k] && liveEls[k].textContent !== liveWant[k]) liveEls[k].textContent = liveWant[k];
  }
  function liveText(slot, text) {
    var k = slot === 1 ? 1 : 0;
    liveWant[k] = String(text).slice(0, MAX_LIVE);
    if (liveTimer[k]) return;                          // a write is scheduled: it takes the newest text
    var wait = liveAt[k] + LIVE_EVERY_MS - performance.now();
    if (wait > 0) liveTimer[k] = setTimeout(function () { liveWrite(k); }, wait);
    else liveWrite(k);
  }
  var liveQuery = query.get("transcript");
  function liveShown() {
    var translated = /\btranslated-(ltr|rtl)\b/.test(document.documentElement.className);
    var on = liveQuery === "0" ? false : /^(1|true|yes|on)$/.test(liveQuery || "") || translated;
    var box = document.getElementById("live");
    if (box) box.classList.toggle("live-hidden", !on);
    document.documentElement.classList.toggle("live-visible", on);
  }
  liveShown();
  if (window.MutationObserver)
    new MutationObserver(liveShown).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });

  // ---- [10] Web Workers for long jobs ----------------------------------------
  // hardwareConcurrency workers (at least one; docs/workers.md says why not one fewer), started on first use, each
  // running the core-only module (factlab-worker.js). Messages are ArrayBuffers
  // (src/core/jobs.hpp), transferred, never shared: no SharedArrayBuffer, so no
  // COOP/COEP headers are needed and cross-origin embeds work. ?workers=N asks
  // for N (1..8; benchmarks, tests). ?workers=0, no
  // Worker, or a worker that fails: the jobs run sliced on the page thread.
  var workers = [], workersOff = typeof Worker === "undefined" || query.get("workers") === "0";
  var workersAsked = /^[1-8]$/.test(query.get("workers") || "") ? Number(query.get("workers")) : 0;  // tests, benchmarks
  function workerCount() {
    if (workersOff) return 0;
    return workersAsked || Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2));
  }
  function workerFailed(k, why) {
    if (workersOff) return;
    workersOff = true;
    console.warn("factlab: Web Workers are off (" + why + "); long jobs run on the page thread");
    workers.forEach(function (w) { if (w) w.terminate(); });
    workers = [];
    var f = exp("factlab_worker_failed");
    if (f) Module.ccall("factlab_worker_failed", null, ["number", "string"], [k, String(why).slice(0, 300)]);
  }
  function worker(k) {
    if (workers[k]) return workers[k];
    var w;
    try { w = new Worker("factlab-worker.js"); } catch (e) { workerFailed(k, e.message); return null; }
    w.onmessage = function (e) {
      if (e.data instanceof ArrayBuffer) {
        // Each request names the largest reply it expects: a larger one is refused
        // before it is copied into the heap.
        var cap = Module._factlab_worker_reply_cap ? Module._factlab_worker_reply_cap(k) : -1;
        if (!(e.data.byteLength <= cap)) {
          workerFailed(k, cap < 0 ? "sent a reply no request asked for"
            : "a reply of " + e.data.byteLength + " bytes, over the " + cap + " its request expects; refused");
          return;
        }
        var bytes = new Uint8Array(e.data), p = Module._malloc(bytes.length || 1);
        if (!p) { workerFailed(k, "out of memory for a reply of " + bytes.length + " bytes"); return; }
        Module.HEAPU8.set(bytes, p);      // a null pointer would write over wasm address 0
        try { Module._factlab_worker_reply(k, p, bytes.length); } finally { Module._free(p); }
      } else if (e.data && e.data.type === "failed") {
        workerFailed(k, e.data.why);
      }
    };
    w.onerror = function (e) { e.preventDefault(); workerFailed(k, e.message || "could not start"); };
    workers[k] = w;
    return w;
  }
  function workerPost(k, bytes) {
    if (workersOff) return;
    var w = worker(k);
    if (w) w.postMessage(bytes.buffer, [bytes.buffer]);
  }

  // ---- [12] A worker per long job --------------------------------------------
  // A transformer's training or the capacity sweep runs whole in a worker of its own
  // (src/platform/web_jobs.cpp, src/worker/worker_jobs.cpp), never in the share pool
  // above, so its chunks do not queue behind a superposition step's shares. That
  // worker (factlab-job-worker.js) runs the page's own factlab.wasm, main() not run. Cancel
  // ends the worker; the next job starts a fresh one. Where workers are off, jobStart
  // says no and C++ runs the job sliced on the page thread.
  var jobWorkers = [];
  function jobFailed(slot, why) {
    jobStop(slot);
    console.warn("factlab: a job's worker stopped (" + why + "); the job runs on the page thread");
    Module.ccall("factlab_job_failed", null, ["number", "string"], [slot, String(why).slice(0, 300)]);
  }
  function jobStart(slot, bytes) {
    jobStop(slot);
    if (workersOff || typeof Worker === "undefined") return 0;
    var w;
    try { w = new Worker("factlab-job-worker.js"); } catch (e) { return 0; }
    w.onmessage = function (e) {
      if (jobWorkers[slot] !== w) return;            // a cancelled job's late reply
      if (e.data instanceof ArrayBuffer) {
        var b = new Uint8Array(e.data), p = Module._malloc(b.length || 1);
        if (!p) { jobFailed(slot, "out of memory for a reply of " + b.length + " bytes"); return; }
        Module.HEAPU8.set(b, p);
        try { Module._factlab_job_reply(slot, p, b.length); } finally { Module._free(p); }
      } else if (e.data && e.data.type === "failed") {
        jobFailed(slot, e.data.why);
      }
    };
    w.onerror = function (e) { e.preventDefault(); if (jobWorkers[slot] === w) jobFailed(slot, e.message || "could not start"); };
    jobWorkers[slot] = w;
    w.postMessage(bytes.buffer, [bytes.buffer]);
    return 1;
  }
  function jobPost(slot, bytes) {
    var w = jobWorkers[slot];
    if (w) w.postMessage(bytes.buffer, [bytes.buffer]);
  }
  function jobStop(slot) {
    var w = jobWorkers[slot];
    if (w) { w.terminate(); jobWorkers[slot] = null; }
  }

  window.Module = {
    canvas: canvas,
    print: function (t) { console.log(t); },
    printErr: function (t) { console.warn(t); },
    setStatus: function (s) { if (s) document.getElementById("loading-text").textContent = s.replace(/\(.*\)/, "\u2026"); },
    onAbort: function (what) { fatal("factlab stopped: " + what); },
    onRuntimeInitialized: function () {
      started = true;
      updateOpenLink(location.hash.replace(/^#/, ""));
      visibility();
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
