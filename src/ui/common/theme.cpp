// theme.cpp: see theme.hpp. Every colour comes from theme_palette.cpp, where
// the contrast test (tests/core/test_theme.cpp, tests/browser/look.test.mjs)
// reads them too.
#include "ui/common/theme.hpp"
#include <algorithm>
#include <cmath>

namespace factlab::theme {

static bool g_dark = true;

bool is_dark() { return g_dark; }
const Palette& current() { return palette(g_dark); }
ImU32 u32(Rgba c) { return IM_COL32(c.r, c.g, c.b, c.a); }
static ImVec4 v4(Rgba c) { return ImVec4(c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, c.a / 255.0f); }

void apply(bool dark, float scale) {
    g_dark = dark;
    const Palette& p = palette(dark);
    ImGuiStyle style;
    if (dark) ImGui::StyleColorsDark(&style); else ImGui::StyleColorsLight(&style);
    style.WindowRounding = 6; style.ChildRounding = 6; style.FrameRounding = 4;
    style.GrabRounding = 4; style.PopupRounding = 4; style.ScrollbarRounding = 6; style.TabRounding = 4;
    style.WindowPadding = ImVec2(10, 10); style.FramePadding = ImVec2(8, 5);
    style.ItemSpacing = ImVec2(8, 6); style.ScrollbarSize = 16; style.GrabMinSize = 14;
    style.WindowBorderSize = 0; style.ChildBorderSize = 1; style.PopupBorderSize = 1;
    ImVec4* c = style.Colors;
    c[ImGuiCol_Text] = v4(p.text);
    c[ImGuiCol_TextDisabled] = v4(p.soft);           // instructions and hints: >= 4.5:1, not ImGui's 2.8:1 grey
    c[ImGuiCol_WindowBg] = v4(p.window_bg);
    c[ImGuiCol_ChildBg] = v4(p.panel_bg);
    c[ImGuiCol_PopupBg] = v4(p.popup_bg);
    c[ImGuiCol_Border] = v4(p.border);
    c[ImGuiCol_FrameBg] = v4(p.frame_bg);
    c[ImGuiCol_FrameBgHovered] = v4(p.frame_hover);
    c[ImGuiCol_FrameBgActive] = v4(p.frame_active);
    c[ImGuiCol_Button] = v4(p.button);
    c[ImGuiCol_ButtonHovered] = v4(p.button_hover);
    c[ImGuiCol_ButtonActive] = v4(p.button_active);
    c[ImGuiCol_Header] = v4(p.button);
    c[ImGuiCol_HeaderHovered] = v4(p.button_hover);
    c[ImGuiCol_HeaderActive] = v4(p.button_active);
    c[ImGuiCol_Tab] = v4(p.button);
    c[ImGuiCol_TabHovered] = v4(p.button_hover);
    c[ImGuiCol_TabActive] = v4(p.button_active);
    c[ImGuiCol_SliderGrab] = v4(p.primary);
    c[ImGuiCol_SliderGrabActive] = v4(p.primary_hover);
    c[ImGuiCol_CheckMark] = v4(p.firing_ink);
    c[ImGuiCol_Separator] = v4(p.border);
    c[ImGuiCol_TableBorderStrong] = v4(p.border);
    c[ImGuiCol_TableBorderLight] = v4(p.border);
    c[ImGuiCol_TableHeaderBg] = v4(p.frame_bg);
    c[ImGuiCol_TableRowBgAlt] = v4(p.row_alt);
    c[ImGuiCol_PlotHistogram] = v4(p.progress);   // its label is drawn over it in the text colour
    c[ImGuiCol_NavHighlight] = v4(p.primary);
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

ImU32 text() { return ImGui::GetColorU32(ImGuiCol_Text); }
ImU32 muted() { return u32(current().soft); }
ImU32 grid() { return u32(current().grid); }
ImU32 plot_bg() { return u32(current().plot_bg); }
ImU32 text_on(ImU32 fill) {
    ImVec4 f = ImGui::ColorConvertU32ToFloat4(fill);
    return u32(theme::text_on(Rgba{uint8_t(f.x * 255 + 0.5f), uint8_t(f.y * 255 + 0.5f), uint8_t(f.z * 255 + 0.5f)}));
}

ImU32 firing() { return u32(current().firing); }
ImU32 firing_ink() { return u32(current().firing_ink); }
ImU32 silent() { return u32(current().silent); }
ImU32 silent_ink() { return u32(current().silent_ink); }
ImU32 weight_pos() { return u32(current().firing); }
ImU32 weight_neg() { return u32(current().negative); }
ImU32 answer() { return u32(current().answer); }
ImU32 answer_ink() { return u32(current().answer_ink); }
ImU32 wrong() { return u32(current().wrong); }
ImU32 wrong_ink() { return u32(current().wrong_ink); }
ImU32 focus() { return u32(current().focus); }
ImU32 focus_ink() { return u32(current().focus_ink); }
ImU32 video() { return u32(current().video); }
ImU32 video_ink() { return u32(current().video_ink); }
ImU32 bound() { return u32(current().bound); }
ImU32 learned() { return u32(current().learned); }
ImU32 learned_ink() { return u32(current().learned_ink); }
ImU32 compiled() { return u32(current().compiled); }
ImU32 data() { return u32(current().data); }

ImU32 series(int i) {
    static const ImU32 s[] = {kBlue, kOrange, kGreen, kPurple, kSkyBlue, kVermilion, kYellow};
    ImU32 c = s[((i % 7) + 7) % 7];
    if (g_dark && c == kBlue) return kSkyBlue;
    return c;
}

ImU32 with_alpha(ImU32 c, float a) {
    ImU32 alpha = ImU32(std::clamp(a, 0.0f, 1.0f) * 255.0f + 0.5f);
    return (c & ~IM_COL32_A_MASK) | (alpha << IM_COL32_A_SHIFT);
}

ImU32 diverging(float t) {
    if (!std::isfinite(t)) t = 0;
    t = std::clamp(t, -1.0f, 1.0f);
    // Blue above zero (as a neuron that fires), orange below: the Okabe-Ito pair every
    // common colour-vision deficiency still tells apart.
    ImVec4 neg = ImGui::ColorConvertU32ToFloat4(kOrange), pos = ImGui::ColorConvertU32ToFloat4(kBlue);
    ImVec4 mid = g_dark ? ImVec4(0.16f, 0.17f, 0.20f, 1) : ImVec4(0.97f, 0.97f, 0.97f, 1);
    ImVec4 e = t < 0 ? neg : pos;
    float a = std::fabs(t);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(mid.x + (e.x - mid.x) * a, mid.y + (e.y - mid.y) * a,
                                                 mid.z + (e.z - mid.z) * a, 1));
}

}  // namespace factlab::theme
