// platform_web.cpp: the page. The main loop runs on requestAnimationFrame; the
// canvas backing store follows its CSS size × devicePixelRatio (sharp on HiDPI);
// the JS side (web/factlab.js) talks to us through the factlab_* exports below.
#ifdef __EMSCRIPTEN__
#include <cmath>
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
#include "ui/app.hpp"

// ---- JS helpers (the only place the page's DOM is touched from C++) ---------
EM_JS(char*, js_query_string, (), {
    return stringToNewUTF8((location.search || "").replace(/^\?/, ""));
});
EM_JS(char*, js_hash_string, (), {
    return stringToNewUTF8((location.hash || "").replace(/^#/, ""));
});
EM_JS(char*, js_page_url, (), {
    return stringToNewUTF8(location.origin + location.pathname);
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
EM_JS(int, js_media, (const char* q), {
    return window.matchMedia && window.matchMedia(UTF8ToString(q)).matches ? 1 : 0;
});
EM_JS(void, js_first_frame, (), {
    if (window.factlabPage && window.factlabPage.firstFrame) window.factlabPage.firstFrame();
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
bool prefers_dark() { return js_media("(prefers-color-scheme: dark)") != 0; }
bool prefers_reduced_motion() { return js_media("(prefers-reduced-motion: reduce)") != 0; }
double now_ms() { return emscripten_get_now(); }
}  // namespace platform

namespace host {
float content_scale() {
    double dpr = emscripten_get_device_pixel_ratio();
    return float(std::isfinite(dpr) ? std::fmin(std::fmax(dpr, 1.0), 4.0) : 1.0);
}

// The canvas' CSS box decides the layout size; its backing store gets CSS × dpr
// pixels, and ImGui works in those device pixels (mouse events arrive in them too).
void fix_display_size() {
    double cw = 0, ch = 0;
    emscripten_get_element_css_size("#canvas", &cw, &ch);
    float s = content_scale();
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
    if (!s.has("theme")) s.set("theme", platform::prefers_dark() ? "dark" : "light");
    app().state = s;
    for (const std::string& w : warnings) app().toast(w, true);
}
}  // namespace host

static void loop() {
    static int frames = 0;
    host::render_frame();
    web_after_frame();
    if (++frames == 2) js_first_frame();
}

}  // namespace factlab

int main() {
    using namespace factlab;
    if (!host::init(1280, 800, "factlab")) {
        emscripten_run_script("window.factlabPage && window.factlabPage.fatal('WebGL2 is not available in this browser.')");
        return 1;
    }
    app().reset_facts();
    host::restore_state_from_link();
    emscripten_set_main_loop(loop, 0, false);
    return 0;
}
#endif  // __EMSCRIPTEN__
