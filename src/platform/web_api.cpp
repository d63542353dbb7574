// web_api.cpp: the C exports behind window.factlab (web/factlab.js). They run on
// the page only, but contain no Emscripten calls, so they build natively too.
#include "platform/web_api.hpp"

#include <cfloat>
#include <cstdint>
#include <cstdio>
#include <cmath>
#include <string>
#include <vector>
#include <imgui.h>
#include <imgui_internal.h>
#include <nlohmann/json.hpp>
#include "core/io.hpp"
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/common/share.hpp"
#include "ui/common/state_links.hpp"
#include "ui/common/tour.hpp"
#include "ui/common/theme_palette.hpp"
#include "ui/superposition/superlab.hpp"

namespace factlab {

static std::string g_out;            // the last returned string (valid until the next call)

static unsigned g_seen = ~0u;        // the state version last mirrored to the hash and the host

void web_post_ready() {
    App& a = app();
    g_seen = a.state.version();
    platform::set_url_hash(share_query(a.state));
    platform::post_to_host(share::ready_message(a));
}

// The hash gets every change (the page coalesces history writes: browsers
// rate-limit them); the host page hears at most one state message per 150 ms.
void web_after_frame() {
    static unsigned posted = ~0u;
    static double last = 0;
    App& a = app();
    if (a.state.version() == g_seen && a.state.version() == posted) return;
    std::string q = share_query(a.state);
    if (a.state.version() != g_seen) {
        g_seen = a.state.version();
        platform::set_url_hash(q);
    }
    double now = platform::now_ms();
    if (a.state.version() != posted && now - last > 150) {   // throttle: sliders move every frame
        posted = a.state.version();
        last = now;
        // The hash and the host get the shareable state: without the page keys
        // (embed, controls), which stay in the query string of an embed.
        const ViewInfo* v = share::effective_view(a);
        nlohmann::json j = {{"type", "factlab:state"}, {"state", q}, {"view", v ? v->id : ""}};
        platform::post_to_host(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
}

}  // namespace factlab

using namespace factlab;

// Texts from the page arrive as (pointer, length) on the heap (web/factlab-page.js
// callText): never NUL-terminated strings read to their end, never on the stack.
static std::string_view text_of(const char* p, int len) {
    return p && len > 0 ? std::string_view(p, size_t(len)) : std::string_view();
}

extern "C" const char* factlab_lookup_json(const char* subject, int len) {
    App& a = app();
    std::string_view s = text_of(subject, len);
    if (s.size() > 4096) {
        g_out = nlohmann::json({{"error", "subject is longer than 4096 bytes"}}).dump();
        return g_out.c_str();
    }
    LookupResult r = lookup(a.model(), std::string(s));
    g_out = lookup_to_json(a.model(), r);
    return g_out.c_str();
}

extern "C" const char* factlab_get_state() {
    g_out = share_query(app().state);
    return g_out.c_str();
}

// A refused link leaves the state as it was, says why on the page, and puts
// the state's own link back into the address bar.
extern "C" const char* factlab_set_state(const char* query, int len) {
    App& a = app();
    std::vector<std::string> warnings;
    State s;
    if (parse_query(text_of(query, len), &s, &warnings)) replace_keep_page_keys(&a.state, s);
    else g_seen = ~0u;
    for (const std::string& w : warnings) a.toast(w, true);
    g_out = nlohmann::json(warnings).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_out.c_str();
}

extern "C" const char* factlab_load_facts(const char* name, int name_len, const char* data, int len) {
    App& a = app();
    std::string_view n = text_of(name, name_len);
    std::string shown = n.empty() ? "facts.csv" : std::string(n.substr(0, 120));
    bool ok = a.load_facts_csv(shown, std::string(text_of(data, len)));
    nlohmann::json errs = nlohmann::json::array();
    for (const ParseIssue& e : a.facts_errors) errs.push_back({{"line", e.line}, {"reason", e.reason}});
    nlohmann::json j = {{"ok", ok}, {"errors", errs}, {"facts", a.facts.facts.size()}, {"subjects", a.facts.subjects.size()}};
    g_out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_out.c_str();
}

// The tour card's and its panel's rectangles this frame (factlab.tour(); tour.hpp).
extern "C" const char* factlab_tour_json() {
    g_out = ImGui::GetCurrentContext() ? tour::layout_json(app()) : std::string("{}");
    return g_out.c_str();
}

extern "C" int factlab_frame_count() { return ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0; }

// The messages at the bottom of the page now (what a reader sees), for tests.
extern "C" const char* factlab_messages_json() {
    nlohmann::json j = nlohmann::json::array();
    double now = platform::now_ms();
    for (const Message& m : app().messages)
        if (m.until_ms > now) j.push_back({{"text", m.text}, {"error", m.error}});
    g_out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_out.c_str();
}

extern "C" const char* factlab_views_json() {
    nlohmann::json j = nlohmann::json::array();
    for (const ViewInfo& v : all_views()) j.push_back({{"id", v.id}, {"title", v.title}, {"lab", v.lab}});
    g_out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_out.c_str();
}

// The superposition lab's main run, for tests and benchmarks of the page
// (README "JS API": factlab.superposition()): progress, its worst pair, and the
// page's frame rate while it ran.
// FNV-1a of the vectors' bytes, as hex: two runs agree bit for bit when these do.
static std::string vectors_hash(const Superposer& sp) {
    uint64_t h = 0xcbf29ce484222325ull;
    if (sp.steps_done() >= 0 && sp.config().n > 0) {
        Superposer::ConstRowMap V = sp.vectors();
        for (Eigen::Index i = 0; i < V.rows(); ++i) {
            const unsigned char* b = reinterpret_cast<const unsigned char*>(V.row(i).data());
            for (size_t k = 0; k < size_t(V.cols()) * sizeof(float); ++k) h = (h ^ b[k]) * 0x100000001b3ull;
        }
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    return buf;
}

// The look (tests/browser/look.test.mjs): every text/background pair of both
// themes as the palette defines them, the colours ImGui really draws with now,
// and the reader-facing toggles (details, present) with the font size in use.
extern "C" const char* factlab_look_json() {
    auto rgba = [](theme::Rgba c) { return nlohmann::json::array({c.r, c.g, c.b, c.a}); };
    auto live = [](ImGuiCol i) {
        ImVec4 v = ImGui::GetStyle().Colors[i];
        return nlohmann::json::array({int(std::lround(v.x * 255)), int(std::lround(v.y * 255)), int(std::lround(v.z * 255)),
                                      int(std::lround(v.w * 255))});
    };
    nlohmann::json pairs;
    for (bool dark : {false, true}) {
        nlohmann::json list = nlohmann::json::array();
        for (const theme::TextPair& t : theme::text_pairs(dark)) list.push_back({{"what", t.what}, {"fg", rgba(t.fg)}, {"bg", rgba(t.bg)}});
        pairs[dark ? "dark" : "light"] = list;
    }
    App& a = app();
    nlohmann::json j = {{"dark", a.dark}, {"details", a.details()}, {"details_drawn", a.details_drawn_last_frame()},
                        {"present", a.present()}, {"font_px", ImGui::GetCurrentContext() ? ImGui::GetFontSize() : 0.0f},
                        {"style", {{"text", live(ImGuiCol_Text)}, {"text_disabled", live(ImGuiCol_TextDisabled)},
                                   {"window_bg", live(ImGuiCol_WindowBg)}, {"child_bg", live(ImGuiCol_ChildBg)},
                                   {"popup_bg", live(ImGuiCol_PopupBg)}, {"frame_bg", live(ImGuiCol_FrameBg)},
                                   {"button", live(ImGuiCol_Button)}, {"button_hovered", live(ImGuiCol_ButtonHovered)}}},
                        {"pairs", pairs}};
    g_out = j.dump();
    return g_out.c_str();
}

extern "C" const char* factlab_superposition_json() {
    const MainRun& M = superlab(app()).main;
    const SuperposeStats& st = M.sp.stats();
    const SuperposeConfig& c = M.sp.config();
    auto num = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); };
    nlohmann::json j = {{"n", c.n}, {"d", c.d}, {"loss", superpose_loss_name(c.loss)}, {"steps", c.steps},
                        {"step", M.sp.steps_done()}, {"progress", M.progress()}, {"playing", M.playing},
                        {"error", M.reset_error + M.sp.error()},
                        {"kernel", M.sp.kernel_name()},
                        {"stats_step", st.step}, {"worst_angle_deg", num(st.worst_angle_deg)},
                        {"worst_abs_cos", num(st.worst_abs_cos)}, {"limit_angle_deg", num(st.limit_angle_deg)},
                        {"run_wall_ms", M.run_wall_ms}, {"run_work_ms", M.run_work_ms}, {"run_frames", M.run_frames},
                        {"fps_while_running", M.fps_while_running()},
                        {"last_step_seconds", M.sp.last_step_seconds()},
                        {"workers", M.workers}, {"worker_error", platform::worker_error()},
                        {"vectors_hash", vectors_hash(M.sp)}};
    // An embed showing a finished run (superlab_snapshot) until Replay: what it shows, and where Replay is.
    if (const SuperposeSnapshot* snap = superlab_snapshot(app()))
        j["snapshot"] = {{"step", snap->last.step}, {"worst_angle_deg", snap->last.worst_angle_deg},
                         {"worst_points", snap->worst.size()}, {"command", snap->command},
                         {"replay", {M.replay_rect[0], M.replay_rect[1], M.replay_rect[2], M.replay_rect[3]}}};
    else
        j["snapshot"] = nullptr;
    g_out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_out.c_str();
}

extern "C" const char* factlab_message(const char* json, int len) {
    g_out = share::handle_host_message(app(), text_of(json, len));
    return g_out.c_str();
}

// What a finger that just went down is pressing on, so the page can tell a
// drag from a scroll (web/factlab-page.js, touch):
//   0 nothing, or empty space in a window            -> scroll
//   1 a horizontal control (slider, drag, text field) -> drag sideways, scroll up/down
//   2 a vertical control (a scrollbar, a vertical slider) -> drag
//   3 an item that takes gestures (SetItemUsingMouseWheel: zoom, rotate) -> drag
//   4 any other item (button, plot, bars)              -> drag sideways, scroll up/down
extern "C" int factlab_pointer_target() {
    ImGuiContext* g = ImGui::GetCurrentContext();
    if (!g || g->ActiveId == 0) return 0;
    ImGuiWindow* w = g->ActiveIdWindow;
    if (w && g->ActiveId == w->MoveId) return 0;
    if (w && g->ActiveId == ImGui::GetWindowScrollbarID(w, ImGuiAxis_Y)) return 2;
    if (w && g->ActiveId == ImGui::GetWindowScrollbarID(w, ImGuiAxis_X)) return 1;
    if (g->ActiveIdUsingMouseWheel) return 3;
    unsigned horizontal = (1u << ImGuiDir_Left) | (1u << ImGuiDir_Right), vertical = (1u << ImGuiDir_Up) | (1u << ImGuiDir_Down);
    unsigned dirs = unsigned(g->ActiveIdUsingNavDirMask);
    if ((dirs & vertical) && !(dirs & horizontal)) return 2;
    if (dirs & horizontal) return 1;
    return 4;
}

// A finger scroll of (dx, dy) device pixels (the content follows the finger):
// it moves the window under the finger, or the nearest enclosing window that
// can still move that way, so a panel scrolled to its end hands the scroll on
// to the page around it (ImGui's mouse wheel does not chain like that).
static void scroll_axis(ImGuiWindow* w, int axis, float d) {
    while (w && d != 0) {
        float target = axis ? w->ScrollTarget.y : w->ScrollTarget.x;
        float cur = target < FLT_MAX ? target : (axis ? w->Scroll.y : w->Scroll.x);
        float max = axis ? w->ScrollMax.y : w->ScrollMax.x;
        bool can = !(w->Flags & ImGuiWindowFlags_NoScrollWithMouse) && (d < 0 ? cur < max - 0.5f : cur > 0.5f);
        if (can) {
            float next = ImClamp(cur - d, 0.0f, max);
            if (axis) ImGui::SetScrollY(w, next); else ImGui::SetScrollX(w, next);
            return;
        }
        if (!(w->Flags & ImGuiWindowFlags_ChildWindow)) return;
        w = w->ParentWindow;
    }
}

extern "C" void factlab_touch_scroll(float dx, float dy) {
    ImGuiContext* g = ImGui::GetCurrentContext();
    if (!g || !g->HoveredWindow || !std::isfinite(dx) || !std::isfinite(dy)) return;
    if (std::fabs(dy) >= std::fabs(dx)) scroll_axis(g->HoveredWindow, 1, dy);
    else scroll_axis(g->HoveredWindow, 0, dx);
}

// The font size in device pixels: one mouse-wheel step scrolls 5 of them.
extern "C" float factlab_font_px() { return ImGui::GetCurrentContext() ? ImGui::GetFontSize() : 16.0f; }

// True while an ImGui text field has the keyboard (the page then opens the
// on-screen keyboard on touch screens).
extern "C" int factlab_wants_text() { return ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput ? 1 : 0; }

namespace factlab::platform {
static unsigned g_gl_generation = 1;
unsigned gl_generation() { return g_gl_generation; }
void bump_gl_generation() { ++g_gl_generation; }
}  // namespace factlab::platform
