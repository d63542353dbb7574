// labui.cpp: see labui.hpp.
#include "ui/common/labui.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include "ui/common/app.hpp"
#include "ui/common/theme.hpp"

namespace factlab::lab {

// The visible part of an ImGui label ("Run##id" -> "Run").
static const char* label_end(const char* label) {
    const char* e = label;
    while (*e && !(e[0] == '#' && e[1] == '#')) ++e;
    return e;
}

// Wraps at spaces only (ImGui's own wrap also breaks after '.', which splits
// numbers such as 84.29° across lines), then draws line by line.
static void wrap_text(const char* text, ImU32 col) {
    if (col) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(col));
    float width = std::max(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 4);
    std::string line, word;
    auto flush = [&]() {
        ImGui::TextUnformatted(line.c_str());
        line.clear();
    };
    auto add_word = [&]() {
        if (word.empty()) return;
        std::string tryline = line.empty() ? word : line + " " + word;
        if (!line.empty() && ImGui::CalcTextSize(tryline.c_str()).x > width) {
            flush();
            line = word;
        } else {
            line = tryline;
        }
        word.clear();
    };
    for (const char* p = text; *p; ++p) {
        if (*p == ' ') add_word();
        else if (*p == '\n') { add_word(); flush(); }
        else word += *p;
    }
    add_word();
    if (!line.empty()) flush();
    if (col) ImGui::PopStyleColor();
}

void caption(const char* text) { wrap_text(text, theme::muted()); }

void note(const char* text) { wrap_text(text, 0); }

void text_wrapped_colored(ImU32 col, const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    wrap_text(buf, col);
}

void same_line_if_fits(float width) {
    float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    ImGui::SameLine();
    if (ImGui::GetCursorScreenPos().x + width > right) ImGui::NewLine();
}

float button_width(const char* label) {
    const char* end = label_end(label);
    return ImGui::CalcTextSize(label, end).x + ImGui::GetStyle().FramePadding.x * 2;
}

bool row_button(const char* label, bool first) {
    if (!first) same_line_if_fits(button_width(label));
    const float avail = ImGui::GetContentRegionAvail().x;
    if (button_width(label) <= avail + 0.5f) return ImGui::Button(label);
    // Wider than the panel (present mode's larger text on a phone): the label wraps
    // inside a button as wide as the panel instead of being cut off.
    const ImGuiStyle& st = ImGui::GetStyle();
    const float w = std::max(avail, ImGui::GetFontSize() * 4);
    const float wrap = w - st.FramePadding.x * 2;
    const ImVec2 text = ImGui::CalcTextSize(label, nullptr, true, wrap);
    ImGui::PushID(label);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const bool pressed = ImGui::Button("##wrapped", ImVec2(w, text.y + st.FramePadding.y * 2));
    ImGui::PopID();
    ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), ImGui::GetFontSize(),
                                        ImVec2(p.x + st.FramePadding.x, p.y + st.FramePadding.y),
                                        ImGui::GetColorU32(ImGuiCol_Text), label, std::strstr(label, "##"), wrap);
    return pressed;
}

void progress_eta(float fraction, double seconds_left, const char* what) {
    char buf[160];
    if (seconds_left >= 0 && fraction < 1.0f)
        std::snprintf(buf, sizeof buf, "%s %s, %s left", what, pct_text(fraction, 0).c_str(), seconds_text(seconds_left).c_str());
    else
        std::snprintf(buf, sizeof buf, "%s %s", what, pct_text(fraction, 0).c_str());
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImGui::ColorConvertU32ToFloat4(theme::u32(theme::current().progress)));
    ImGui::ProgressBar(std::isfinite(fraction) ? fraction : 0.0f, ImVec2(-1, 0), buf);
    ImGui::PopStyleColor();
}

void legend(ImU32 col, const char* label, bool first) {
    float fs = ImGui::GetFontSize();
    float w = fs * 0.8f + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
    if (!first) same_line_if_fits(w);
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + fs * 0.2f), ImVec2(p.x + fs * 0.8f, p.y + fs), col, 2.0f);
    ImGui::Dummy(ImVec2(fs * 0.8f, fs));
    ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    ImGui::TextUnformatted(label);
}

void field_label(const char* label, float label_width) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    if (!narrow()) ImGui::SameLine(label_width);
}

static bool g_in_controls = false;

bool begin_controls(const char* id, int max_columns) {
    int cols = ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 30 ? max_columns : 1;
    g_in_controls = ImGui::BeginTable(id, cols, ImGuiTableFlags_SizingStretchSame);
    return g_in_controls;
}

void end_controls() {
    if (g_in_controls) ImGui::EndTable();
    g_in_controls = false;
}

void next_control() {
    if (g_in_controls) ImGui::TableNextColumn();
}

// Leaves room for the label on the right of the control.
static void control_width(const char* label) {
    next_control();
    const char* end = label_end(label);
    float lw = ImGui::CalcTextSize(label, end).x;
    float avail = ImGui::GetContentRegionAvail().x;
    float w = avail - lw - (lw > 0 ? ImGui::GetStyle().ItemInnerSpacing.x : 0);
    ImGui::SetNextItemWidth(std::max(w, ImGui::GetFontSize() * 5));
}

bool slider_int(App& a, const char* label, const char* key, int def, int lo, int hi, bool log, const char* fmt) {
    int v = int(a.state.get_int(key, def, lo, hi));
    control_width(label);
    ImGuiSliderFlags f = ImGuiSliderFlags_AlwaysClamp | (log ? ImGuiSliderFlags_Logarithmic : 0);
    if (ImGui::SliderInt(label, &v, lo, hi, fmt, f)) {
        a.state.set_int(key, v);
        return true;
    }
    return false;
}

bool slider_int_on_release(App& a, const char* label, const char* key, int def, int lo, int hi, bool log,
                           const char* fmt) {
    static ImGuiID active = 0;
    static int active_value = 0;
    ImGuiID id = ImGui::GetID(label);
    int v = active == id ? active_value : int(a.state.get_int(key, def, lo, hi));
    control_width(label);
    ImGuiSliderFlags f = ImGuiSliderFlags_AlwaysClamp | (log ? ImGuiSliderFlags_Logarithmic : 0);
    ImGui::SliderInt(label, &v, lo, hi, fmt, f);
    if (ImGui::IsItemActive()) {
        active = id;
        active_value = v;
    }
    if (ImGui::IsItemDeactivatedAfterEdit()) {
        active = 0;
        return a.state.set_int(key, v);
    }
    if (!ImGui::IsItemActive() && active == id) active = 0;
    return false;
}

bool slider_float(App& a, const char* label, const char* key, float def, float lo, float hi, bool log,
                  const char* fmt) {
    float v = float(a.state.get_float(key, def, lo, hi));
    control_width(label);
    ImGuiSliderFlags f = ImGuiSliderFlags_AlwaysClamp | (log ? ImGuiSliderFlags_Logarithmic : 0);
    if (ImGui::SliderFloat(label, &v, lo, hi, fmt, f)) {
        a.state.set_float(key, v);
        return true;
    }
    return false;
}

int combo_index(App& a, const char* label, const char* key, int def, const char* const* items, int n) {
    int v = int(a.state.get_int(key, def, 0, n - 1));
    control_width(label);
    if (ImGui::Combo(label, &v, items, n)) a.state.set_int(key, v);
    return v;
}

std::string seconds_text(double s) {
    char buf[64];
    if (!std::isfinite(s) || s < 0) return "?";
    if (s < 10) std::snprintf(buf, sizeof buf, "%.1f s", s);
    else if (s < 60) std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%d min %d s", int(s / 60), int(s) % 60);
    else std::snprintf(buf, sizeof buf, "%d h %d min", int(s / 3600), (int(s) % 3600) / 60);
    return buf;
}

std::string pct_text(double f, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f%%", decimals, 100.0 * f);
    return buf;
}

std::string deg_text(double deg, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f°", decimals, deg);
    return buf;
}

bool narrow() { return ImGui::GetContentRegionAvail().x < ImGui::GetFontSize() * 24; }

}  // namespace factlab::lab
