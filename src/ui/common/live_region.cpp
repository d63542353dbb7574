// live_region.cpp: see live_region.hpp.
#include "ui/common/live_region.hpp"

#include <map>
#include "platform/live_text.hpp"
#include "ui/common/app.hpp"
#include "ui/common/tour.hpp"

namespace factlab::live {
namespace {

std::map<std::string, std::string>& said() {      // view id -> its text this frame
    static std::map<std::string, std::string> m;
    return m;
}
std::string g_sent[2];
bool g_any_sent[2] = {false, false};

void send(platform::LiveSlot slot, const std::string& text) {
    std::string t = platform::bounded_live_text(text);
    if (g_any_sent[slot] && t == g_sent[slot]) return;    // unchanged: no DOM write
    g_sent[slot] = t;
    g_any_sent[slot] = true;
    platform::set_live_text(slot, t);
}

// The view the page is about: the embed's view, the grid's current view, or the
// first screen's lookup (the same rule as app.cpp's current view).
const ViewInfo* current(const App& a) {
    const ViewInfo* v = find_view(a.state.get("view", "lookup"));
    if (!v && !all_views().empty()) v = &all_views().front();
    return v;
}

std::string tour_text(const App& a) {
    int n = tour::current(a);
    if (n <= 0) return "";
    if (a.state.get_bool("embed", false) && !a.state.get_bool("controls", true)) return "";   // no card is shown
    const tour::Step& s = tour::step(n);
    return "Tour, step " + std::to_string(n) + " of " + std::to_string(tour::step_count()) + ": " + s.title + ". " + s.body;
}

void after_views(App& a) {
    const ViewInfo* v = current(a);
    std::string result;
    if (v) {
        auto it = said().find(v->id);
        if (it != said().end() && !it->second.empty()) result = v->title + std::string(": ") + it->second;
        else result = v->title + std::string(": ") + (v->blurb ? v->blurb : "");
    }
    said().clear();
    send(platform::kLiveResult, result);
    send(platform::kLiveTour, tour_text(a));
}

OverlayRegistrar reg(after_views);

}  // namespace

void say(const char* view_id, const std::string& text) { said()[view_id] = text; }

const std::string& sent(int slot) { return g_sent[slot == 1 ? 1 : 0]; }

}  // namespace factlab::live
