// figure.cpp: see figure.hpp.
#include "ui/common/figure.hpp"

#include <algorithm>
#include <cmath>
#include <imgui.h>
#include <imgui_internal.h>   // the content height and the scroll ranges of child windows
#include "ui/common/app.hpp"
#include "ui/common/share.hpp"
#include "ui/common/state_figure.hpp"
#include "ui/common/theme.hpp"

namespace factlab::figure {

static Report g_report;
static bool g_styled = false;          // the style's backgrounds are the figure's, not the theme's
static std::string g_warned;           // the bg/text values last warned about

const Report& report() { return g_report; }

bool active(const App& a) { return figure_params(a.state).figure; }

float text_scale(const App& a) {
    if (!a.state.get_bool("embed", false)) return 1.0f;
    return float(figure_params(a.state).text_px) / float(kFigureTextDefault);
}

void begin_frame(App& a) {
    FigureParams p = figure_params(a.state);
    if (!p.figure) {
        g_report = Report();
        if (g_styled) { theme::apply(a.dark, a.ui_scale); g_styled = false; }
        a.figure = false;
        return;
    }
    a.figure = true;
    // A dark host colour gets the dark theme (light text), a light one the light theme.
    if (p.has_colour && !a.state.has("theme")) a.dark = p.colour_is_dark();
    // Bad values: say so once per value, keep the defaults.
    std::string key = a.state.get("bg") + "\n" + a.state.get("text");
    if (key != g_warned) {
        g_warned = key;
        std::vector<std::string> warnings;
        figure_params(a.state, &warnings);
        for (const std::string& w : warnings) a.toast(w, true);
    }
}

// One flat background: the host's colour, nothing (transparent) or the theme's page colour.
static void style_backgrounds(const FigureParams& p) {
    ImVec4* c = ImGui::GetStyle().Colors;
    if (p.transparent) c[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0);
    else if (p.has_colour) c[ImGuiCol_WindowBg] = ImVec4(p.rgb[0], p.rgb[1], p.rgb[2], 1);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    g_styled = true;
}

// Child regions inside the figure that hide part of their content (a list cut short).
static int count_clipped(ImGuiWindow* host) {
    int n = 0;
    for (ImGuiWindow* w : GImGui->Windows)
        if (w != host && w->Active && w->RootWindow == host && (w->Flags & ImGuiWindowFlags_ChildWindow) &&
            w->ScrollMax.y > 0.5f)
            ++n;
    return n;
}

void frame(App& a) {
    FigureParams p = figure_params(a.state);
    style_backgrounds(p);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float fs = ImGui::GetFontSize();
    const float footer = std::round(fs * 1.6f);
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x, std::max(fs * 4, vp->WorkSize.y - footer)));
    // A scrollbar only if the host did not fit the iframe to the figure (then nothing is lost).
    ImGui::Begin("##factlab", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                           ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                           ImGuiWindowFlags_NoBringToFrontOnFocus);
    const ViewInfo* v = find_view(a.state.get("view", "lookup"));
    if (v) {
        ImVec2 avail = ImGui::GetContentRegionAvail();
        // As tall as its content (fit): the first height is the frame's, then the content's.
        draw_view_frame(a, *v, ImVec2(avail.x, std::max(avail.y, fs * 8)), true, a.state.get_bool("controls", true),
                        true, true);
    } else {
        share::draw_unknown_view(a, a.state.get("view", "lookup"));
    }
    ImGuiWindow* w = ImGui::GetCurrentWindow();
    float content = w->DC.CursorMaxPos.y - (w->Pos.y - w->Scroll.y) + ImGui::GetStyle().WindowPadding.y;
    g_report.active = true;
    g_report.content_height = std::ceil(content + footer);
    g_report.width = vp->WorkSize.x;
    g_report.footer_height = footer;
    g_report.scroll_max = w->ScrollMax.y;
    g_report.clipped = count_clipped(w);
    g_report.background = p.css_background();
    ImGui::End();
}

}  // namespace factlab::figure
