// platform_web.cpp: the page. The main loop runs on requestAnimationFrame while
// something changes and pauses when nothing does (host::after_frame); the page
// wakes it (factlab_wake) on input, resizes, messages and API calls, and stops
// it while the canvas is out of view (factlab_set_visible). The
// canvas backing store follows its CSS size × devicePixelRatio (sharp on HiDPI);
// the JS side (web/factlab-page.js) talks to us through the factlab_* exports
// (web_api.hpp). Also here: the browser preferences (colour scheme, reduced
// motion, coarse pointer: fingers get a 1.25× larger UI), ImGui's clipboard
// through the page, and recovery after a lost WebGL context.
#ifdef __EMSCRIPTEN__
#include <algorithm>
#include <cmath>
#include <deque>
#include <string>
#include <vector>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include "core/io.hpp"
#include "platform/gl.hpp"
#include "platform/host.hpp"
#include "platform/platform.hpp"
#include "platform/web_api.hpp"
#include "ui/common/app.hpp"
#include "ui/common/figure.hpp"

// ---- JS helpers (the only place the page's DOM is touched from C++) ---------
EM_JS(char*, js_query_string, (), {
    return stringToNewUTF8((location.search || "").replace(/^[?]/, "").slice(0, 12289));   // bounded: see parse_query
});
EM_JS(char*, js_hash_string, (), {
    return stringToNewUTF8((location.hash || "").replace(/^#/, "").slice(0, 12289));
});
EM_JS(char*, js_page_url, (), {
    // Works for http(s) and file: pages alike (location.origin is "null" on file:).
    return stringToNewUTF8(location.href.split("#")[0].split("?")[0]);
});
EM_JS(void, js_set_hash, (const char* h), {
    var s = UTF8ToString(h);
    if (window.factlabPage && window.factlabPage.setHash) window.factlabPage.setHash(s);
});
EM_JS(void, js_copy, (const char* t), {
    var s = UTF8ToString(t);
    if (window.factlabPage && window.factlabPage.copy) window.factlabPage.copy(s);
});
EM_JS(void, js_save, (const char* name, const char* data, int len, const char* mime), {
    var bytes = HEAPU8.slice(data, data + len);
    if (window.factlabPage && window.factlabPage.save) window.factlabPage.save(UTF8ToString(name), bytes, UTF8ToString(mime));
});
EM_JS(void, js_pick_file, (), {
    if (window.factlabPage && window.factlabPage.pickFile) window.factlabPage.pickFile();
});
EM_JS(void, js_post_to_host, (const char* j), {
    if (window.factlabPage && window.factlabPage.postToHost) window.factlabPage.postToHost(UTF8ToString(j));
});
EM_JS(void, js_wake_at, (double delay_ms), {
    if (window.factlabPage && window.factlabPage.wakeAt) window.factlabPage.wakeAt(delay_ms);
});
// Web Workers (factlab-page.js [10]): how many the page may start, and a message to one.
EM_JS(int, js_worker_count, (), {
    return window.factlabPage && window.factlabPage.workerCount ? window.factlabPage.workerCount() : 0;
});
EM_JS(void, js_worker_post, (int k, const char* data, int len), {
    if (window.factlabPage && window.factlabPage.workerPost) window.factlabPage.workerPost(k, HEAPU8.slice(data, data + len));
});
// An embed shown as a figure (src/ui/common/figure.hpp): its size in CSS pixels,
// the footer strip for the "open in factlab" link, the background, and whether
// anything is cut off; the page tells the host (factlab:size) when the size changes.
EM_JS(void, js_figure, (double height, double width, double footer, double scroll_max, int clipped, const char* bg), {
    if (window.factlabPage && window.factlabPage.figure)
        window.factlabPage.figure({ height: height, width: width, footer: footer, scrollMax: scroll_max,
                                    clipped: clipped, background: UTF8ToString(bg) });
});
EM_JS(void, js_first_frame, (), {
    if (window.factlabPage && window.factlabPage.firstFrame) window.factlabPage.firstFrame();
});
// Browser preferences, kept up to date by the page (factlabPage.prefs): bit 0
// dark colour scheme, bit 1 reduced motion, bit 2 coarse pointer (touch).
EM_JS(int, js_prefs, (), {
    var p = window.factlabPage && window.factlabPage.prefs;
    return p ? (p.dark ? 1 : 0) | (p.reducedMotion ? 2 : 0) | (p.coarse ? 4 : 0) : 1;
});
// After a lost WebGL context is restored, Emscripten's GL layer still holds
// state made for the old context: forget its dead objects (deleting them would
// only warn), re-enable the extensions and remake the temporary buffers it
// uses for client-side arrays.
EM_JS(void, js_gl_layer_restored, (), {
    var c = GL.currentContext;
    if (!c) return;
    [GL.buffers, GL.textures, GL.programs, GL.shaders, GL.vaos, GL.framebuffers, GL.renderbuffers,
     GL.samplers, GL.queries, GL.syncs, GL.transformFeedbacks].forEach(function (table) {
        if (table) for (var i = 0; i < table.length; ++i) table[i] = null;
    });
    c.initExtensionsDone = false;
    if (GL.initExtensions) GL.initExtensions(c);
    if (GL.generateTempBuffers && c.tempVertexBuffers1) GL.generateTempBuffers(false, c);
    GL.currArrayBuffer = 0;
    GL.currElementArrayBuffer = 0;
});

static std::string take(char* p) {
    std::string s = p ? p : "";
    free(p);
    return s;
}

namespace factlab {

namespace platform {
bool is_web() { return true; }
std::string query_string() { return take(js_query_string()); }
void set_url_hash(const std::string& hash) { js_set_hash(hash.c_str()); }
std::string page_url() { return take(js_page_url()); }
void copy_to_clipboard(const std::string& text) { js_copy(text.c_str()); }
std::string save_file(const std::string& name, const std::string& bytes, const char* mime) {
    js_save(name.c_str(), bytes.data(), int(bytes.size()), mime);
    return "Downloading " + name;
}
void open_file_picker() { js_pick_file(); }
void post_to_host(const std::string& json) { js_post_to_host(json.c_str()); }
bool prefers_dark() { return (js_prefs() & 1) != 0; }
bool prefers_reduced_motion() { return (js_prefs() & 2) != 0; }
double now_ms() { return emscripten_get_now(); }

static std::vector<std::deque<std::string>> g_worker_inbox;
static std::vector<std::deque<size_t>> g_worker_caps;   // per worker: the largest reply of each request in flight
static std::string g_worker_error;
constexpr size_t kDefaultReplyCap = size_t(1) << 20;
int worker_count() {
    if (!g_worker_error.empty()) return 0;
    static int n = -1;
    if (n < 0) n = std::clamp(js_worker_count(), 0, 16);
    return n;
}
void worker_post(int k, const std::string& bytes, size_t reply_cap) {
    if (k < 0 || k >= worker_count()) return;
    if (int(g_worker_caps.size()) <= k) g_worker_caps.resize(size_t(k) + 1);
    g_worker_caps[size_t(k)].push_back(reply_cap > 0 ? reply_cap : kDefaultReplyCap);
    js_worker_post(k, bytes.data(), int(bytes.size()));
}
bool worker_take(int k, std::string* bytes) {
    if (k < 0 || k >= int(g_worker_inbox.size()) || g_worker_inbox[k].empty()) return false;
    *bytes = std::move(g_worker_inbox[k].front());
    g_worker_inbox[k].pop_front();
    return true;
}
std::string worker_error() { return g_worker_error; }
int threads() { return 1; }
}  // namespace platform

namespace host {
static float device_pixel_ratio() {
    double dpr = emscripten_get_device_pixel_ratio();
    return float(std::isfinite(dpr) ? std::fmin(std::fmax(dpr, 1.0), 4.0) : 1.0);
}

// The UI's scale: device pixels per CSS pixel, and 1.25× more on touch screens
// so that buttons and sliders are big enough for a finger.
// An embed's text= (13-28 px against the UI's 16) scales it too.
float content_scale() {
    return device_pixel_ratio() * ((js_prefs() & 4) ? 1.25f : 1.0f) * figure::text_scale(app());
}

// The canvas' CSS box decides the layout size; its backing store gets CSS × dpr
// pixels, and ImGui works in those device pixels (mouse events arrive in them too).
void fix_display_size() {
    double cw = 0, ch = 0;
    emscripten_get_element_css_size("#canvas", &cw, &ch);
    float s = device_pixel_ratio();
    int bw = std::max(1, int(std::lround(cw * s))), bh = std::max(1, int(std::lround(ch * s)));
    int w = 0, h = 0;
    emscripten_get_canvas_element_size("#canvas", &w, &h);
    if (w != bw || h != bh) emscripten_set_canvas_element_size("#canvas", bw, bh);
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(bw), float(bh));
    io.DisplayFramebufferScale = ImVec2(1, 1);
}

void restore_state_from_link() {
    std::vector<std::string> warnings;
    State s;
    parse_query(platform::query_string(), &s, &warnings);
    State h;
    parse_query(take(js_hash_string()), &h, &warnings);
    for (const auto& [k, v] : h.items()) s.set(k, v);     // the hash wins over the query
    app().dark = platform::prefers_dark();                // followed while the link says no theme=
    app().state = s;
    for (const std::string& w : warnings) app().toast(w, true);
}
}  // namespace host

// ImGui's own copy and paste (text fields) go through the page too: GLFW's
// clipboard is a stub in Emscripten 3.1.6. Copies go to the page's clipboard;
// pasted text comes from the DOM's paste event (factlab_paste), which fires
// after ImGui saw the Ctrl+V, so it is typed in instead (ImGui's own paste
// reads an empty clipboard and does nothing).
static void imgui_set_clipboard(void*, const char* text) { platform::copy_to_clipboard(text ? text : ""); }
static const char* imgui_get_clipboard(void*) { return ""; }

// ---- the loop: paused while nothing changes -----------------------------------
static bool g_paused = false;      // emscripten's loop is paused: no requestAnimationFrame

// After a frame of a figure embed: tell the page when its size (CSS px) or look changed.
static void report_figure() {
    const figure::Report& r = figure::report();
    if (!r.active) return;
    static double last_h = -1, last_w = -1, last_scroll = -1;
    static int last_clipped = -1;
    static std::string last_bg = "?";
    float s = host::device_pixel_ratio();
    double h = std::ceil(r.content_height / s), w = std::round(r.width / s), scroll = std::ceil(r.scroll_max / s);
    if (h == last_h && w == last_w && scroll == last_scroll && r.clipped == last_clipped && r.background == last_bg) return;
    last_h = h; last_w = w; last_scroll = scroll; last_clipped = r.clipped; last_bg = r.background;
    js_figure(h, w, std::round(r.footer_height / s), scroll, r.clipped, r.background.c_str());
}
static bool g_visible = true;      // the canvas is on screen and the tab shown
static int g_frames_drawn = 0;
static double g_last_frame_ms = 0, g_worst_gap_ms = 0;   // between the loop's frames (a test reads it)

static void loop() {
    static int frames = 0;
    // Follow the system's colour scheme while the link does not choose one.
    if (!app().state.has("theme")) app().dark = platform::prefers_dark();
    const double t = platform::now_ms();
    if (g_last_frame_ms > 0) g_worst_gap_ms = std::max(g_worst_gap_ms, t - g_last_frame_ms);
    g_last_frame_ms = t;
    host::render_frame();
    ++g_frames_drawn;
    if (frames == 0) web_post_ready();                     // the host hears "ready" before any change
    web_after_frame();
    report_figure();
    if (++frames == 2) js_first_frame();
    bool more = host::after_frame() || frames < 2;
    if (!more || !g_visible) {
        emscripten_pause_main_loop();
        g_paused = true;
        g_last_frame_ms = 0;           // a pause is not a frame gap
        double t = host::next_wake_ms();
        if (t >= 0 && g_visible) js_wake_at(std::max(0.0, t - platform::now_ms()));
    }
}

static void wake_loop(bool settle = true) {
    if (settle) host::wake();
    if (g_paused && g_visible) {
        g_paused = false;
        emscripten_resume_main_loop();
    }
}

}  // namespace factlab

using namespace factlab;

// Something changed (an event, an API call, a message, a timer): draw again.
extern "C" void factlab_wake() { wake_loop(); }
// A frame asked for earlier is due (host::next_wake_ms): one frame, no settling.
extern "C" void factlab_wake_due() { wake_loop(false); }
// The canvas left or entered the view (IntersectionObserver, a hidden tab).
extern "C" void factlab_set_visible(int visible) {
    g_visible = visible != 0;
    if (g_visible) wake_loop();
}
extern "C" int factlab_frames_drawn() { return g_frames_drawn; }
extern "C" int factlab_frames_painted() { return host::frames_painted(); }
// The longest time between two of the loop's frames since the last call (ms).
extern "C" double factlab_worst_frame_gap() {
    const double w = g_worst_gap_ms;
    g_worst_gap_ms = 0;
    return w;
}

// A worker could not start, stopped, or sent a reply nobody asked for: the jobs go
// back to the page thread (worker_count() is 0 from now on; each job drops its own
// requests in flight). Only worker k's replies and expectations are dropped here:
// replies already in other workers' inboxes stay for their jobs to take.
extern "C" void factlab_worker_failed(int k, const char* why) {
    if (platform::g_worker_error.empty())
        platform::g_worker_error = std::string("worker ") + std::to_string(k) + ": " + (why ? why : "failed");
    if (k >= 0 && k < int(platform::g_worker_inbox.size())) platform::g_worker_inbox[size_t(k)].clear();
    if (k >= 0 && k < int(platform::g_worker_caps.size())) platform::g_worker_caps[size_t(k)].clear();
    wake_loop();
}
// The largest reply worker k may send next (-1: none is expected). The page checks it
// before it copies a reply into this heap.
extern "C" double factlab_worker_reply_cap(int k) {
    const auto& caps = platform::g_worker_caps;
    if (k < 0 || k >= int(caps.size()) || caps[size_t(k)].empty()) return -1;
    return double(caps[size_t(k)].front());
}
// A worker's reply (bytes the page copied into our heap for the call): one per
// request, in order, each at most the size its request expected.
extern "C" void factlab_worker_reply(int k, const char* data, int len) {
    if (k < 0 || k >= 16 || len < 0) return;
    auto& caps = platform::g_worker_caps;
    if (k >= int(caps.size()) || caps[size_t(k)].empty()) {
        factlab_worker_failed(k, "sent a reply no request asked for");
        return;
    }
    const size_t cap = caps[size_t(k)].front();
    caps[size_t(k)].pop_front();
    if (size_t(len) > cap) {
        const std::string why = "a reply of " + std::to_string(len) + " bytes, over the " + std::to_string(cap) +
                                " its request expects; refused";
        factlab_worker_failed(k, why.c_str());
        return;
    }
    auto& inbox = platform::g_worker_inbox;
    if (int(inbox.size()) <= k) inbox.resize(size_t(k) + 1);
    inbox[k].emplace_back(data, size_t(len));
    wake_loop(false);                  // a frame to take it; no input to settle
}

// A frame run right now, from inside a DOM event handler (mouseup, keydown,
// touchend): what the click does (a copy, a download) then happens while the
// browser still counts the user's gesture, which clipboard writes require.
extern "C" void factlab_frame_now() {
    static bool busy = false;
    if (busy || !host::window()) return;
    busy = true;
    host::render_frame();
    ++g_frames_drawn;
    web_after_frame();
    report_figure();
    // A click faster than a frame: that frame saw the press (ImGui keeps it
    // down for one frame), so one more frame lets ImGui see the release.
    if (ImGui::GetIO().MouseDown[0] && glfwGetMouseButton(host::window(), GLFW_MOUSE_BUTTON_LEFT) != GLFW_PRESS) {
        host::render_frame();
        ++g_frames_drawn;
        web_after_frame();
    }
    busy = false;
    wake_loop();                       // and the frames after it, as for any input
}

extern "C" void factlab_paste(const char* text, int len) {   // (pointer, length) on the heap, as web_api.hpp
    if (!text || len <= 0 || len > 16384 || !ImGui::GetCurrentContext() || !ImGui::GetIO().WantTextInput) return;
    ImGui::GetIO().AddInputCharactersUTF8(std::string(text, size_t(len)).c_str());
}

// The WebGL context came back after a loss: every GL object is gone. ImGui's
// renderer is started afresh (1.86 would otherwise keep its old buffer sizes
// and write past the new, empty buffers); views that own GL objects see the
// new platform::gl_generation() and remake theirs.
extern "C" void factlab_gl_context_restored() {
    js_gl_layer_restored();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplOpenGL3_Init(FACTLAB_GLSL_VERSION);
    platform::bump_gl_generation();
    platform::repaint();
    wake_loop();
}

int main() {
    using namespace factlab;
    if (!host::init(1280, 800, "factlab")) {
        emscripten_run_script("window.factlabPage && window.factlabPage.fatal('WebGL2 is not available in this browser.')");
        return 1;
    }
    ImGuiIO& io = ImGui::GetIO();
    io.SetClipboardTextFn = imgui_set_clipboard;
    io.GetClipboardTextFn = imgui_get_clipboard;
    app().reset_facts();
    host::restore_state_from_link();
    emscripten_set_main_loop(loop, 0, false);
    return 0;
}
#endif  // __EMSCRIPTEN__
