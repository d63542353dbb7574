// web_api.cpp: the C exports behind window.factlab (web/factlab.js). They run on
// the page only, but contain no Emscripten calls, so they build natively too.
#include "platform/web_api.hpp"

#include <string>
#include <vector>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <nlohmann/json.hpp>
#include "core/io.hpp"
#include "platform/platform.hpp"
#include "ui/app.hpp"

namespace factlab {

static std::string g_out;            // the last returned string (valid until the next call)

void web_after_frame() {
    static unsigned seen = ~0u;
    static double last = 0;
    App& a = app();
    double now = platform::now_ms();
    if (a.state.version() != seen && now - last > 150) {   // throttle: sliders move every frame
        seen = a.state.version();
        last = now;
        std::string q = a.state.to_query();
        platform::set_url_hash(q);
        nlohmann::json j = {{"type", "factlab:state"}, {"state", q}};
        platform::post_to_host(j.dump());
    }
}

}  // namespace factlab

using namespace factlab;

extern "C" const char* factlab_lookup_json(const char* subject) {
    App& a = app();
    LookupResult r = lookup(a.model(), subject ? subject : "");
    g_out = lookup_to_json(a.model(), r);
    return g_out.c_str();
}

extern "C" const char* factlab_get_state() {
    g_out = app().state.to_query();
    return g_out.c_str();
}

extern "C" const char* factlab_set_state(const char* query) {
    std::vector<std::string> warnings;
    State s;
    if (parse_query(query ? query : "", &s, &warnings)) app().state = s;
    g_out = nlohmann::json(warnings).dump();
    return g_out.c_str();
}

extern "C" const char* factlab_load_facts(const char* name, const char* data, int len) {
    App& a = app();
    std::string text = (data && len > 0) ? std::string(data, size_t(len)) : std::string();
    bool ok = a.load_facts_csv(name ? name : "facts.csv", text);
    nlohmann::json errs = nlohmann::json::array();
    for (const ParseIssue& e : a.facts_errors) errs.push_back({{"line", e.line}, {"reason", e.reason}});
    nlohmann::json j = {{"ok", ok}, {"errors", errs}, {"facts", a.facts.facts.size()}, {"subjects", a.facts.subjects.size()}};
    g_out = j.dump();
    return g_out.c_str();
}

extern "C" void factlab_gl_context_restored() {
    ImGui_ImplOpenGL3_DestroyDeviceObjects();
    ImGui_ImplOpenGL3_CreateDeviceObjects();
    platform::bump_gl_generation();
}

namespace factlab::platform {
static unsigned g_gl_generation = 1;
unsigned gl_generation() { return g_gl_generation; }
void bump_gl_generation() { ++g_gl_generation; }
}  // namespace factlab::platform
