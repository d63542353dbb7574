// share.cpp: see share.hpp.
//
// [SECTION] Links and embed code
// [SECTION] Top bar
// [SECTION] Embed mode: unknown view
// [SECTION] Host messages
#include "ui/common/share.hpp"

#include <algorithm>
#include <cstring>
#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/state_links.hpp"
#include "ui/common/state_message.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/tour.hpp"
#include "ui/common/widgets.hpp"

namespace factlab::share {

const ViewInfo* effective_view(const App& a) {
    const ViewInfo* v = find_view(a.state.get("view", "lookup"));
    if (!v && !all_views().empty()) v = &all_views().front();
    return v;
}

//-----------------------------------------------------------------------------
// [SECTION] Links and embed code
//-----------------------------------------------------------------------------
static void copy_link(App& a, const State& s, const char* what) {
    platform::copy_to_clipboard(lab_link(platform::page_url(), s));
    a.toast(std::string(what) + " copied: it opens factlab at exactly this state.");
}

static void copy_embed(App& a, const ViewInfo& v, bool controls) {
    State s = a.state;
    s.erase("tour");                                  // an embed shows the view, not the tour card
    float h = std::max(200.0f, v.height) + (controls ? 48.0f : 0.0f);
    std::string title = std::string("factlab: ") + v.title;
    platform::copy_to_clipboard(embed_snippet(platform::page_url(), s, v.id, controls, int(h), title));
    a.toast("Embed code copied: paste it into your page's HTML.");
}

void view_menu_items(App& a, const ViewInfo& v) {
    ImGui::Separator();
    if (ImGui::MenuItem("Copy link to this view")) {
        State s = a.state;
        s.set("view", v.id);
        copy_link(a, s, "Link");
    }
    if (ImGui::MenuItem("Copy embed code")) copy_embed(a, v, true);
    if (ImGui::MenuItem("Copy embed code, plot only")) copy_embed(a, v, false);
    if (ImGui::IsItemHovered()) ui::Tooltip("The iframe shows this view without its controls (&controls=0)");
}

//-----------------------------------------------------------------------------
// [SECTION] Top bar
//-----------------------------------------------------------------------------
static float button_w(const char* label) {
    return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2;
}

static void go_to_lab(App& a, const char* lab) {
    for (const ViewInfo& v : all_views())
        if (std::strcmp(v.lab, lab) == 0) { a.state.set("view", v.id); return; }
}

static void toggle_theme(App& a) {
    a.dark = !a.dark;
    a.state.set("theme", a.dark ? "dark" : "light");
}

static void embed_menu_items(App& a, const ViewInfo* cur) {
    if (!cur) return;
    std::string with = std::string("Copy embed code: ") + cur->title;
    if (ImGui::MenuItem(with.c_str())) copy_embed(a, *cur, true);
    if (ImGui::MenuItem("Copy embed code, plot only")) copy_embed(a, *cur, false);
}

static const char* lab_title(const ViewInfo* cur) {
    for (const LabInfo& lab : all_labs())
        if (cur && std::strcmp(cur->lab, lab.id) == 0) return lab.title;
    return "Labs";
}

void draw_top_bar(App& a, const ViewInfo* cur) {
    const ImGuiStyle& st = ImGui::GetStyle();
    float sp = st.ItemSpacing.x;
    bool facts_lab = cur && std::strcmp(cur->lab, "facts") == 0;
    const char* theme_label = a.dark ? "Light" : "Dark";
    bool custom_facts = a.facts_source != "built-in athletes";

    // Everything on one line when it fits, else the compact bar.
    float wide = ImGui::CalcTextSize("factlab").x + sp;
    for (const LabInfo& lab : all_labs()) wide += button_w(lab.title) + sp;
    wide += button_w("Start the tour") + sp * 3 + button_w(theme_label) + sp + button_w("Share \u25BC") + sp;
    bool compact = wide > ImGui::GetContentRegionAvail().x;

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("factlab");
    if (ImGui::IsItemHovered()) ui::Tooltip("How might LLMs store facts? An interactive lab.");
    if (compact) {
        ImGui::SameLine();
        std::string lab = std::string(lab_title(cur)) + " \u25BC";   // ▼
        if (ImGui::Button(lab.c_str())) ImGui::OpenPopup("labs");
        if (ImGui::BeginPopup("labs")) {
            for (const LabInfo& l : all_labs())
                if (ImGui::MenuItem(l.title, nullptr, cur && std::strcmp(cur->lab, l.id) == 0)) go_to_lab(a, l.id);
            ImGui::EndPopup();
        }
    } else {
        for (const LabInfo& lab : all_labs()) {
            ImGui::SameLine();
            bool active = cur && std::strcmp(cur->lab, lab.id) == 0;
            if (ui::TabButton(lab.title, active)) go_to_lab(a, lab.id);
        }
    }
    ImGui::SameLine(0, compact ? sp : sp * 3);
    bool touring = tour::current(a) > 0;
    // The tour is the one prominent button: filled, not one chip among many.
    if (!touring) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().primary)));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().primary_hover)));
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().primary_text)));
    }
    if (ImGui::Button(touring ? "Close tour" : "Start the tour")) tour::go(a, touring ? 0 : 1);
    if (!touring) ImGui::PopStyleColor(3);
    if (ImGui::IsItemHovered()) ui::Tooltip(touring ? "Close the guided tour" : "A guided tour through the video's story");

    if (compact) {
        ImGui::SameLine();
        if (ImGui::Button("Menu \u25BC")) ImGui::OpenPopup("more");
        if (ImGui::BeginPopup("more")) {
            if (ImGui::MenuItem(a.dark ? "Light theme" : "Dark theme")) toggle_theme(a);
            if (ImGui::MenuItem("Copy link")) copy_link(a, a.state, "Link");
            embed_menu_items(a, cur);
            if (facts_lab) { ImGui::Separator(); import_buttons(a, true); }
            ImGui::Separator();
            look_menu_items(a);
            ImGui::EndPopup();
        }
        return;
    }
    // Right-aligned: the theme, and every share action in one menu.
    float group = button_w(theme_label) + sp + button_w("Share \u25BC");
    ImGui::SameLine();
    float x = ImGui::GetWindowContentRegionMax().x - group;
    if (x > ImGui::GetCursorPosX()) ImGui::SetCursorPosX(x);
    if (ImGui::Button(theme_label)) toggle_theme(a);
    ImGui::SameLine();
    if (ImGui::Button("Share \u25BC")) ImGui::OpenPopup("share");
    if (ImGui::IsItemHovered()) ui::Tooltip("Copy link, embed code, export, load facts");
    if (ImGui::BeginPopup("share")) {
        if (ImGui::MenuItem("Copy link")) copy_link(a, a.state, "Link");
        ImGui::Separator();
        ImGui::TextDisabled("Embed: an iframe of one view, for a blog post");
        embed_menu_items(a, cur);
        ImGui::Separator();
        ImGui::TextDisabled("Export: each panel's Export button (data, PNG)");
        if (facts_lab || custom_facts) { ImGui::Separator(); import_buttons(a, true); }
        ImGui::Separator();
        look_menu_items(a);
        ImGui::EndPopup();
    }
}

//-----------------------------------------------------------------------------
// [SECTION] Embed mode: unknown view
//-----------------------------------------------------------------------------
void draw_unknown_view(App& a, const std::string& id) {
    std::string shown = id.size() > 60 ? id.substr(0, 60) + "..." : id;
    std::string names;
    for (const ViewInfo& v : all_views()) names += (names.empty() ? "" : ", ") + std::string(v.id);
    float fs = ImGui::GetFontSize();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    float w = std::min(avail.x, fs * 32);
    ImGui::SetCursorPos(ImVec2(ImGui::GetCursorPosX() + (avail.x - w) * 0.5f, ImGui::GetCursorPosY() + std::max(0.0f, avail.y * 0.25f)));
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::wrong_ink()));
    ImGui::TextWrapped("factlab has no view called \"%s\".", shown.c_str());
    ImGui::PopStyleColor();
    ImGui::TextWrapped("The embed link's view= can be one of: %s.", names.empty() ? "(none yet)" : names.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
}

//-----------------------------------------------------------------------------
// [SECTION] Host messages
//-----------------------------------------------------------------------------
std::string handle_host_message(App& a, std::string_view json) {
    HostMessage m;
    std::string error;
    if (!parse_host_message(json, &m, &error)) return error.empty() ? std::string() : host_error_reply(error, m.id);
    switch (m.type) {
        case HostMessageType::Set:
        case HostMessageType::Replace: {
            // The result must still fit in a link, or "Copy link" could not restore it:
            // as many keys and as many bytes as a link may hold (state.hpp).
            State next = a.state;
            apply_host_message(&next, m);
            const StateLimits lim;
            const State shared = shareable(next);
            size_t len = state_size(shared), keys = shared.items().size();
            if (keys > lim.max_keys)
                return host_error_reply("the state would hold " + std::to_string(keys) + " keys (a link holds at most " +
                                        std::to_string(lim.max_keys) + "); nothing was changed", m.id);
            if (len > lim.max_text)
                return host_error_reply("the state would need " + std::to_string(len) + " bytes in a link (at most " +
                                        std::to_string(lim.max_text) + "); nothing was changed", m.id);
            if (m.type == HostMessageType::Replace) replace_keep_page_keys(&a.state, next);
            else apply_host_message(&a.state, m);
            break;
        }
        case HostMessageType::Facts: {
            // Loaded like a dropped file: same parser, same limits, the old facts kept on error.
            if (!a.load_facts_csv(m.name, m.csv)) {
                std::vector<HostErrorLine> lines;
                for (const ParseIssue& e : a.facts_errors) lines.push_back({e.line, e.reason});
                std::string first = lines.empty() ? "unknown error" : "line " + std::to_string(lines[0].line) + ": " + lines[0].reason;
                return host_error_reply("the facts were not loaded (" + first + "); the previous facts are kept", m.id, lines);
            }
            break;
        }
        case HostMessageType::Tour: tour::go(a, m.tour_step); break;
        case HostMessageType::Get: break;
    }
    const ViewInfo* v = effective_view(a);
    return host_state_reply(a.state, m.id, v ? v->id : "");
}

std::string ready_message(const App& a) {
    const ViewInfo* v = effective_view(a);
    return host_ready_message(a.state, v ? v->id : "");
}

}  // namespace factlab::share
