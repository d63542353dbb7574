// platform_native.cpp: the desktop program `factlab`.
//
//   factlab [--state 'view=and-gate&subject=Michael%20Jordan'] [--size 1280x800]
//           [--threads N] [--screenshot FILE.png [--frames N]]
// --threads N splits each superposition step over N threads (default: every core).
// --screenshot renders N frames (default 10), saves the window as PNG and exits:
// the tests use it under Xvfb. A Debug window (ImGui metrics, dump the model as
// .npy) sits beside the lab. Like the page, the window draws only when something
// changed: idle, it sleeps in glfwWaitEvents (host::after_frame).
#ifndef __EMSCRIPTEN__
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include "core/io.hpp"
#include "platform/gl.hpp"
#include "platform/host.hpp"
#include "platform/platform.hpp"
#include "ui/common/app.hpp"

#include "platform/png.hpp"

namespace factlab {

namespace platform {
bool is_web() { return false; }
std::string query_string() { return ""; }
void set_url_hash(const std::string&) {}
std::string page_url() { return "http://127.0.0.1:8000/index.html"; }
void copy_to_clipboard(const std::string& text) { glfwSetClipboardString(host::window(), text.c_str()); }
std::string save_file(const std::string& name, const std::string& bytes, const char*) {
    std::string err;
    if (!write_file(name, bytes, &err)) return "Could not save " + name + ": " + err;
    return "Saved " + name;
}
void open_file_picker() {}
void post_to_host(const std::string&) {}
bool prefers_dark() { return true; }
bool prefers_reduced_motion() { return false; }
double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}
// The desktop splits steps over threads (SuperposeConfig::threads), not workers.
int worker_count() { return 0; }
void worker_post(int, const std::string&, size_t) {}
bool worker_take(int, std::string*) { return false; }
std::string worker_error() { return ""; }
bool job_start(int, const std::string&) { return false; }   // the desktop runs long jobs sliced
bool jobs_may_start() { return false; }
void job_post(int, const std::string&) {}
bool job_take(int, std::string*) { return false; }
std::string job_failed(int) { return ""; }
void job_stop(int) {}
static int g_threads = 0;                                     // --threads; 0: every core
int threads() {
    if (g_threads > 0) return g_threads;
    unsigned n = std::thread::hardware_concurrency();
    return int(std::clamp(n == 0 ? 1u : n, 1u, 64u));
}
}  // namespace platform

namespace host {
static std::string g_state_arg;

float content_scale() {
    float sx = 1, sy = 1;
    glfwGetWindowContentScale(window(), &sx, &sy);
    return sx > 0.5f && sx < 4.0f ? sx : 1.0f;
}

// Work in framebuffer pixels, like the page does, so one layout code serves both.
void fix_display_size() {
    ImGuiIO& io = ImGui::GetIO();
    int w, h, fw, fh;
    glfwGetWindowSize(window(), &w, &h);
    glfwGetFramebufferSize(window(), &fw, &fh);
    if (w > 0 && h > 0 && (fw != w || fh != h)) {
        io.MousePos.x *= float(fw) / w;
        io.MousePos.y *= float(fh) / h;
    }
    io.DisplaySize = ImVec2(float(fw), float(fh));
    io.DisplayFramebufferScale = ImVec2(1, 1);
}

void restore_state_from_link() {
    std::vector<std::string> warnings;
    parse_query(g_state_arg, &app().state, &warnings);
    for (const std::string& w : warnings) app().toast(w, true);
}
}  // namespace host

// The desktop's Debug window: ImGui's metrics and a model dump for NumPy.
static void draw_debug(App& a) {
    static bool metrics = false;
    if (a.state.get_bool("embed", false)) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // In the top bar's gap between the lab tabs (with "Start the tour") and Light/Share:
    // every corner covers a panel's title or buttons, the centre now covers the tour button.
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.72f, vp->WorkPos.y + 4), ImGuiCond_Always, ImVec2(0.5f, 0));
    ImGui::SetNextWindowBgAlpha(0.9f);
    ImGui::Begin("##debug", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings);
    if (ImGui::SmallButton("Debug")) ImGui::OpenPopup("debug-menu");
    if (ImGui::BeginPopup("debug-menu")) {
        ImGui::MenuItem("ImGui metrics", nullptr, &metrics);
        look_menu_items(a);   // present mode; details (always on in a debug build)
        if (ImGui::MenuItem("Dump model as .npy (factlab-model/)")) {
            std::string err;
            if (save_model("factlab-model", a.model(), &err)) a.toast("Model written to factlab-model/");
            else a.toast("Could not write the model: " + err, true);
        }
        ImGui::EndPopup();
    }
    ImGui::End();
    if (metrics) ImGui::ShowMetricsWindow(&metrics);
}
static OverlayRegistrar debug_overlay(draw_debug);

static bool save_png(const std::string& path, int w, int h) {
    std::string png = host::read_png(0, 0, w, h, h), err;
    return !png.empty() && write_file(path, png, &err);
}

}  // namespace factlab

int main(int argc, char** argv) {
    using namespace factlab;
    std::string screenshot;
    int frames = 10, width = 1280, height = 800;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) { std::fprintf(stderr, "factlab: %s needs a value\n", a.c_str()); std::exit(2); }
            return argv[++i];
        };
        if (a == "--screenshot") screenshot = next();
        else if (a == "--frames") frames = std::max(1, std::min(10000, std::atoi(next().c_str())));
        else if (a == "--state") host::g_state_arg = next();
        else if (a == "--threads") {
            int t = std::atoi(next().c_str());
            if (t < 1 || t > 64) { std::fprintf(stderr, "factlab: --threads wants 1..64\n"); return 2; }
            platform::g_threads = t;
        }
        else if (a == "--size") {
            std::string s = next();
            if (std::sscanf(s.c_str(), "%dx%d", &width, &height) != 2 || width < 200 || height < 200 || width > 8192 || height > 8192) {
                std::fprintf(stderr, "factlab: --size wants WxH between 200x200 and 8192x8192\n");
                return 2;
            }
        } else if (a == "--help" || a == "-h") {
            std::printf("usage: factlab [--state LINK_STATE] [--size WxH] [--threads N] [--screenshot FILE.png [--frames N]]\n");
            return 0;
        } else {
            std::fprintf(stderr, "factlab: unknown argument '%s' (try --help)\n", a.c_str());
            return 2;
        }
    }
    if (!host::init(width, height, "factlab: how LLMs store facts")) {
        std::fprintf(stderr, "factlab: could not open an OpenGL 3.3 window\n");
        return 1;
    }
#ifndef NDEBUG
    app().details_default = true;   // the debug build shows frames/s, kernel and memory unless details=0
#endif
    app().reset_facts();
    host::restore_state_from_link();
    int frame = 0;
    bool more = true;                  // another frame is wanted now (host::after_frame)
    while (!glfwWindowShouldClose(host::window())) {
        if (more || !screenshot.empty()) {
            glfwPollEvents();
        } else {                       // idle: sleep until an event, or until a frame is due
            double due = host::next_wake_ms();
            if (due >= 0) glfwWaitEventsTimeout(std::max(0.001, (due - platform::now_ms()) / 1000.0));
            else glfwWaitEvents();
            host::wake();
        }
        host::render_frame();
        more = host::after_frame();
        if (!screenshot.empty() && ++frame >= frames) {
            int fw, fh;
            glfwGetFramebufferSize(host::window(), &fw, &fh);
            bool ok = save_png(screenshot, fw, fh);
            std::fprintf(ok ? stdout : stderr, ok ? "factlab: saved %s (%dx%d)\n" : "factlab: could not save %s\n",
                         screenshot.c_str(), fw, fh);
            host::shutdown();
            return ok ? 0 : 1;
        }
        glfwSwapBuffers(host::window());
    }
    host::shutdown();
    return 0;
}
#endif  // !__EMSCRIPTEN__
