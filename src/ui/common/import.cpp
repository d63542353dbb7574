// import.cpp: loading your own facts CSV, and what happens when it is wrong.
//
// The page offers a file picker and accepts a file dropped anywhere on it
// (web/factlab-page.js); the desktop program takes a path. Both end in
// App::load_facts_csv, which keeps the current facts when the file is bad and
// records its errors with line numbers: the overlay below lists them until
// the reader closes it or loads a good file.
#include <algorithm>
#include <imgui.h>
#include "core/io.hpp"
#include "platform/platform.hpp"
#include "ui/common/share.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab::share {

static const char* kBuiltin = "built-in athletes";

static bool g_path_open = false;   // desktop: the "load from path" field is shown
static char g_path[512] = "";

static void load_from_path(App& a) {
    std::string text, err;
    std::string path = g_path;
    if (!read_file(path, &text, &err, 8u << 20)) { a.toast("Could not read " + path + ": " + err, true); return; }
    if (a.load_facts_csv(path, text)) g_path_open = false;
}

void import_buttons(App& a, bool as_menu_items) {
    bool custom = a.facts_source != kBuiltin;
    bool pick = as_menu_items ? ImGui::MenuItem("Load facts...") : ImGui::Button("Load facts...");
    if (!as_menu_items && ImGui::IsItemHovered())
        ui::Tooltip("Load a CSV with header subject,relation,object (or drop one on the page).\nNow: %s",
                          a.facts_source.c_str());
    if (pick) {
        if (platform::is_web()) platform::open_file_picker();
        else g_path_open = true;
    }
    if (custom) {
        if (!as_menu_items) ImGui::SameLine();
        bool reset = as_menu_items ? ImGui::MenuItem("Built-in facts") : ImGui::Button("Built-in facts");
        if (!as_menu_items && ImGui::IsItemHovered()) ui::Tooltip("Go back to the built-in athletes");
        if (reset) {
            a.reset_facts();
            a.toast("Back to the built-in facts about athletes.");
        }
    }
}

// A centred panel over the lab.
static bool begin_panel(const char* id, float width_em) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    float fs = ImGui::GetFontSize();
    float w = std::min(fs * width_em, vp->WorkSize.x - fs);
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.4f),
                            ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(w, 0));
    ImGui::SetNextWindowBgAlpha(0.98f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
    bool open = ImGui::Begin(id, nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                              ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove);
    ImGui::PopStyleVar();
    return open;
}

static void draw_import_overlay(App& a) {
    if (a.state.get_bool("embed", false)) return;
    float fs = ImGui::GetFontSize();
    if (g_path_open) {
        begin_panel("##facts-path", 30);
        ImGui::TextUnformatted("Load facts from a CSV file");
        ImGui::TextDisabled("Header: subject,relation,object (UTF-8, RFC 4180 quoting)");
        ImGui::SetNextItemWidth(-1);
        ui::PushFieldStyle();
        bool enter = ImGui::InputTextWithHint("##path", "path/to/facts.csv", g_path, sizeof g_path,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
        ui::PopFieldStyle();
        if (ImGui::Button("Load") || enter) load_from_path(a);
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) g_path_open = false;
        ImGui::End();
    }
    if (a.facts_errors.empty()) return;
    begin_panel("##facts-errors", 34);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::wrong_ink()));
    ImGui::TextUnformatted("That facts file was not loaded");
    ImGui::PopStyleColor();
    ImGui::PushTextWrapPos(0);
    ImGui::Text("The facts in use are kept: %s (%zu facts).", a.facts_source.c_str(), a.facts.facts.size());
    ImGui::PopTextWrapPos();
    size_t n = a.facts_errors.size();
    float rows = float(std::min<size_t>(n, 5)) * 2.0f;     // a reason may wrap to two lines
    ImGui::BeginChild("##errors", ImVec2(0, rows * ImGui::GetTextLineHeightWithSpacing() + fs * 0.8f), true);
    for (size_t i = 0; i < n && i < 500; ++i) {
        const ParseIssue& e = a.facts_errors[i];
        if (e.line > 0) ImGui::TextDisabled("line %d", e.line);
        else ImGui::TextDisabled("file");
        ImGui::SameLine(fs * 4.5f);
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(e.reason.c_str());
        ImGui::PopTextWrapPos();
    }
    if (n > 500) ImGui::TextDisabled("... and %zu more", n - 500);
    ImGui::EndChild();
    ImGui::TextDisabled("Expected: a header subject,relation,object, then one fact per line.");
    if (ImGui::Button("Choose another file...")) {
        a.facts_errors.clear();
        if (platform::is_web()) platform::open_file_picker();
        else g_path_open = true;
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) a.facts_errors.clear();
    ImGui::End();
}

static OverlayRegistrar import_overlay(draw_import_overlay);

}  // namespace factlab::share
