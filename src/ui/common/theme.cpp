// theme.cpp: see theme.hpp.
#include "ui/common/theme.hpp"
#include <algorithm>
#include <cmath>

namespace factlab::theme {

static bool g_dark = true;

bool is_dark() { return g_dark; }

void apply(bool dark, float scale) {
    g_dark = dark;
    ImGuiStyle style;
    if (dark) ImGui::StyleColorsDark(&style); else ImGui::StyleColorsLight(&style);
    style.WindowRounding = 6; style.ChildRounding = 6; style.FrameRounding = 4;
    style.GrabRounding = 4; style.PopupRounding = 4; style.ScrollbarRounding = 6; style.TabRounding = 4;
    style.WindowPadding = ImVec2(10, 10); style.FramePadding = ImVec2(8, 5);
    style.ItemSpacing = ImVec2(8, 6); style.ScrollbarSize = 16; style.GrabMinSize = 14;
    style.WindowBorderSize = 0; style.ChildBorderSize = 1;
    ImVec4* c = style.Colors;
    if (dark) {
        c[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.10f, 0.12f, 1.0f);
        c[ImGuiCol_ChildBg] = ImVec4(0.12f, 0.13f, 0.16f, 1.0f);
        c[ImGuiCol_Border] = ImVec4(0.25f, 0.27f, 0.32f, 1.0f);
    } else {
        c[ImGuiCol_WindowBg] = ImVec4(0.96f, 0.96f, 0.97f, 1.0f);
        c[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
        c[ImGuiCol_Border] = ImVec4(0.80f, 0.81f, 0.85f, 1.0f);
        // ImGui's light frames are white: on white panels sliders and fields would vanish.
        c[ImGuiCol_FrameBg] = ImVec4(0.91f, 0.92f, 0.95f, 1.0f);
        c[ImGuiCol_FrameBgHovered] = ImVec4(0.86f, 0.89f, 0.95f, 1.0f);
        c[ImGuiCol_FrameBgActive] = ImVec4(0.80f, 0.86f, 0.95f, 1.0f);
    }
    // Accent: Okabe-Ito blue for interactive elements in both themes.
    ImVec4 accent = ImGui::ColorConvertU32ToFloat4(kBlue);
    c[ImGuiCol_SliderGrab] = accent;
    c[ImGuiCol_CheckMark] = dark ? ImGui::ColorConvertU32ToFloat4(kSkyBlue) : accent;
    c[ImGuiCol_Button] = ImVec4(accent.x, accent.y, accent.z, 0.55f);
    c[ImGuiCol_ButtonHovered] = ImVec4(accent.x, accent.y, accent.z, 0.80f);
    c[ImGuiCol_ButtonActive] = accent;
    if (!dark) {
        c[ImGuiCol_Button] = ImVec4(accent.x, accent.y, accent.z, 0.20f);
        c[ImGuiCol_ButtonHovered] = ImVec4(accent.x, accent.y, accent.z, 0.35f);
        c[ImGuiCol_ButtonActive] = ImVec4(accent.x, accent.y, accent.z, 0.50f);
    }
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

ImU32 text() { return ImGui::GetColorU32(ImGuiCol_Text); }
ImU32 muted() { return ImGui::GetColorU32(ImGuiCol_TextDisabled); }
ImU32 grid() { return g_dark ? IM_COL32(255, 255, 255, 28) : IM_COL32(0, 0, 0, 28); }
ImU32 positive() { return g_dark ? kSkyBlue : kBlue; }
ImU32 negative() { return kVermilion; }
ImU32 highlight() { return kOrange; }

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
    ImVec4 neg = ImGui::ColorConvertU32ToFloat4(kBlue), pos = ImGui::ColorConvertU32ToFloat4(kOrange);
    ImVec4 mid = g_dark ? ImVec4(0.16f, 0.17f, 0.20f, 1) : ImVec4(0.97f, 0.97f, 0.97f, 1);
    ImVec4 e = t < 0 ? neg : pos;
    float a = std::fabs(t);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(mid.x + (e.x - mid.x) * a, mid.y + (e.y - mid.y) * a,
                                                 mid.z + (e.z - mid.z) * a, 1));
}

}  // namespace factlab::theme
