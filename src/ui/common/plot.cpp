// plot.cpp: see plot.hpp.
#include "ui/common/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include "ui/common/theme.hpp"

namespace factlab::plot {
namespace {
struct Ctx {
    Axis x, y;
    ImVec2 frame_min, frame_max;   // reserved rectangle
    ImVec2 min, max;               // plot area inside the margins
    bool hovered = false;
    ImDrawList* dl = nullptr;
} g;

double to_unit(const Axis& a, double v) {
    if (a.log) {
        double lo = std::log10(std::max(a.min, 1e-300)), hi = std::log10(std::max(a.max, 1e-300));
        return (std::log10(std::max(v, 1e-300)) - lo) / (hi - lo == 0 ? 1 : hi - lo);
    }
    return (v - a.min) / (a.max - a.min == 0 ? 1 : a.max - a.min);
}
double from_unit(const Axis& a, double u) {
    if (a.log) {
        double lo = std::log10(a.min), hi = std::log10(a.max);
        return std::pow(10.0, lo + u * (hi - lo));
    }
    return a.min + u * (a.max - a.min);
}

// "Nice" tick step: 1, 2 or 5 times a power of ten.
double nice_step(double range, int target) {
    if (!(range > 0) || !std::isfinite(range)) return 1;
    double raw = range / std::max(target, 1);
    double p = std::pow(10.0, std::floor(std::log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

std::string tick_text(double v, double step) {
    char buf[32];
    if (std::fabs(v) < step * 1e-6) v = 0;   // no "-0.0" from accumulated rounding
    if (std::fabs(v) >= 10000) return Short(v);
    int dec = step >= 1 ? 0 : std::min(6, int(std::ceil(-std::log10(step))));
    std::snprintf(buf, sizeof buf, "%.*f", dec, v);
    return buf;
}
}  // namespace

bool Begin(const char* id, ImVec2 size, Axis x, Axis y) {
    if (!(x.max > x.min) || !std::isfinite(x.min) || !std::isfinite(x.max)) { x.min = 0; x.max = 1; }
    if (!(y.max > y.min) || !std::isfinite(y.min) || !std::isfinite(y.max)) { y.min = 0; y.max = 1; }
    if (x.log && x.min <= 0) x.log = false;
    if (y.log && y.min <= 0) y.log = false;
    ImVec2 avail = ImGui::GetContentRegionAvail();
    if (size.x <= 0) size.x = std::max(avail.x + (size.x < 0 ? size.x + 1 : 0), 60.0f);
    if (size.y <= 0) size.y = 200;
    ImGui::PushID(id);
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##plot", size);
    ImGui::PopID();
    g = Ctx{};
    g.x = x; g.y = y;
    g.frame_min = p; g.frame_max = ImVec2(p.x + size.x, p.y + size.y);
    float fs = ImGui::GetFontSize();
    // A y label sits on its own line above the plot area, so it never covers the top tick.
    float left = fs * 3.2f, bottom = fs * (x.label ? 2.6f : 1.6f), top = fs * (y.label ? 1.5f : 0.6f), right = fs * 0.8f;
    if (y.label) left += fs * 0.4f;
    g.min = ImVec2(p.x + left, p.y + top);
    g.max = ImVec2(p.x + size.x - right, p.y + size.y - bottom);
    if (g.max.x - g.min.x < 10 || g.max.y - g.min.y < 10) return false;
    g.hovered = ImGui::IsItemHovered();
    g.dl = ImGui::GetWindowDrawList();
    g.dl->AddRectFilled(g.min, g.max, theme::plot_bg());
    g.dl->PushClipRect(g.min, g.max, true);
    return true;
}

void End() {
    ImDrawList* dl = g.dl;
    dl->PopClipRect();
    float fs = ImGui::GetFontSize();
    ImU32 tc = theme::muted(), gc = theme::grid();
    // x ticks
    if (g.x.log) {
        for (double e = std::floor(std::log10(g.x.min)); e <= std::ceil(std::log10(g.x.max)); ++e) {
            double v = std::pow(10.0, e);
            if (v < g.x.min * 0.999 || v > g.x.max * 1.001) continue;
            ImVec2 s = ToScreen(v, g.y.min);
            dl->AddLine(ImVec2(s.x, g.min.y), ImVec2(s.x, g.max.y), gc);
            std::string t = Short(v);
            dl->AddText(ImVec2(s.x - ImGui::CalcTextSize(t.c_str()).x / 2, g.max.y + 2), tc, t.c_str());
        }
    } else {
        int target = std::max(2, int((g.max.x - g.min.x) / (fs * 5)));
        double step = nice_step(g.x.max - g.x.min, target);
        for (double v = std::ceil(g.x.min / step) * step; v <= g.x.max + step * 1e-6; v += step) {
            ImVec2 s = ToScreen(v, g.y.min);
            dl->AddLine(ImVec2(s.x, g.min.y), ImVec2(s.x, g.max.y), gc);
            std::string t = tick_text(v, step);
            dl->AddText(ImVec2(s.x - ImGui::CalcTextSize(t.c_str()).x / 2, g.max.y + 2), tc, t.c_str());
        }
    }
    // y ticks
    if (g.y.log) {
        for (double e = std::floor(std::log10(g.y.min)); e <= std::ceil(std::log10(g.y.max)); ++e) {
            double v = std::pow(10.0, e);
            if (v < g.y.min * 0.999 || v > g.y.max * 1.001) continue;
            ImVec2 s = ToScreen(g.x.min, v);
            dl->AddLine(ImVec2(g.min.x, s.y), ImVec2(g.max.x, s.y), gc);
            std::string t = Short(v);
            ImVec2 ts = ImGui::CalcTextSize(t.c_str());
            dl->AddText(ImVec2(g.min.x - ts.x - 4, s.y - ts.y / 2), tc, t.c_str());
        }
    } else {
        int target = std::max(2, int((g.max.y - g.min.y) / (fs * 2.5f)));
        double step = nice_step(g.y.max - g.y.min, target);
        for (double v = std::ceil(g.y.min / step) * step; v <= g.y.max + step * 1e-6; v += step) {
            ImVec2 s = ToScreen(g.x.min, v);
            dl->AddLine(ImVec2(g.min.x, s.y), ImVec2(g.max.x, s.y), gc);
            std::string t = tick_text(v, step);
            ImVec2 ts = ImGui::CalcTextSize(t.c_str());
            dl->AddText(ImVec2(g.min.x - ts.x - 4, s.y - ts.y / 2), tc, t.c_str());
        }
    }
    dl->AddRect(g.min, g.max, theme::with_alpha(theme::muted(), 0.6f));
    if (g.x.label) {
        ImVec2 ts = ImGui::CalcTextSize(g.x.label);
        dl->AddText(ImVec2((g.min.x + g.max.x - ts.x) / 2, g.max.y + fs * 1.2f), theme::text(), g.x.label);
    }
    if (g.y.label) {   // ImGui cannot rotate text cheaply: put the y label above the axis
        dl->AddText(ImVec2(g.frame_min.x, g.frame_min.y), theme::text(), g.y.label);
    }
}

ImVec2 ToScreen(double x, double y) {
    double ux = to_unit(g.x, x), uy = to_unit(g.y, y);
    return ImVec2(float(g.min.x + ux * (g.max.x - g.min.x)), float(g.max.y - uy * (g.max.y - g.min.y)));
}

ImVec2 ToData(ImVec2 s) {
    double ux = (s.x - g.min.x) / std::max(1.0f, g.max.x - g.min.x);
    double uy = (g.max.y - s.y) / std::max(1.0f, g.max.y - g.min.y);
    return ImVec2(float(from_unit(g.x, ux)), float(from_unit(g.y, uy)));
}

bool Hovered() {
    ImVec2 m = ImGui::GetIO().MousePos;
    return g.hovered && m.x >= g.min.x && m.x <= g.max.x && m.y >= g.min.y && m.y <= g.max.y;
}
ImVec2 MouseData() { return ToData(ImGui::GetIO().MousePos); }
ImVec4 Rect() { return ImVec4(g.min.x, g.min.y, g.max.x, g.max.y); }
ImDrawList* DrawList() { return g.dl; }

void Bars(const float* ys, int n, ImU32 col, double x0, double width, double base) {
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(ys[i])) continue;
        ImVec2 a = ToScreen(x0 + i * width, base), b = ToScreen(x0 + (i + 1) * width, ys[i]);
        if (b.x - a.x > 3) { a.x += 0.5f; b.x -= 0.5f; }   // a hairline gap between wide bars
        g.dl->AddRectFilled(ImVec2(a.x, std::min(a.y, b.y)), ImVec2(std::max(b.x, a.x + 1), std::max(a.y, b.y)), col);
    }
}

// Dash and gap lengths in font sizes; the pattern runs on across a polyline's corners.
static void dash_pattern(Dash dash, float* on, float* off) {
    float fs = ImGui::GetFontSize();
    if (dash == Dash::Dashed) { *on = fs * 0.55f; *off = fs * 0.35f; }
    else { *on = fs * 0.12f; *off = fs * 0.28f; }
}

static void dashed_polyline(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 col, float thickness, Dash dash) {
    if (pts.size() < 2) return;
    if (dash == Dash::Solid) { dl->AddPolyline(pts.data(), int(pts.size()), col, 0, thickness); return; }
    float on, off;
    dash_pattern(dash, &on, &off);
    float phase = 0;   // distance into the current on+off period
    for (size_t i = 1; i < pts.size(); ++i) {
        ImVec2 a = pts[i - 1], b = pts[i];
        float len = std::hypot(b.x - a.x, b.y - a.y), t = 0;
        while (t < len) {
            bool in_on = phase < on;
            float step = std::max(1e-3f, std::min(len - t, in_on ? on - phase : on + off - phase));
            if (in_on) {
                float t1 = std::min(len, t + step);
                dl->AddLine(ImVec2(a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len),
                            ImVec2(a.x + (b.x - a.x) * t1 / len, a.y + (b.y - a.y) * t1 / len), col, thickness);
            }
            t += step;
            phase += step;
            if (phase >= on + off) phase = 0;
        }
    }
}

void DashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, Dash dash) {
    dashed_polyline(dl, {a, b}, col, thickness, dash);
}

void Line(const float* xs, const float* ys, int n, ImU32 col, float thickness, Dash dash) {
    std::vector<ImVec2> pts;
    pts.reserve(n);
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) {   // a gap, not a spike
            dashed_polyline(g.dl, pts, col, thickness, dash);
            pts.clear();
            continue;
        }
        pts.push_back(ToScreen(xs[i], ys[i]));
    }
    dashed_polyline(g.dl, pts, col, thickness, dash);
}

void LineY(const float* ys, int n, ImU32 col, double x0, double dx, float thickness, Dash dash) {
    std::vector<float> xs(n);
    for (int i = 0; i < n; ++i) xs[i] = float(x0 + i * dx);
    Line(xs.data(), ys, n, col, thickness, dash);
}

void Triangles(const float* xs, const float* ys, int n, ImU32 col, float radius) {
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
        ImVec2 c = ToScreen(xs[i], ys[i]);
        float r = radius * 1.25f;
        g.dl->AddTriangleFilled(ImVec2(c.x, c.y - r), ImVec2(c.x + r * 0.87f, c.y + r * 0.5f),
                                ImVec2(c.x - r * 0.87f, c.y + r * 0.5f), col);
    }
}

void LegendLine(ImU32 col, const char* label, Dash dash, bool first) {
    float fs = ImGui::GetFontSize(), sw = fs * 1.6f;
    float w = sw + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
    if (!first) {
        float right = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w;
        if (right <= ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) ImGui::SameLine();
    }
    ImVec2 p = ImGui::GetCursorScreenPos();
    float y = p.y + fs * 0.6f;
    dashed_polyline(ImGui::GetWindowDrawList(), {ImVec2(p.x, y), ImVec2(p.x + sw, y)}, col, 2.5f, dash);
    ImGui::Dummy(ImVec2(sw, fs));
    ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    ImGui::TextUnformatted(label);
}

void Points(const float* xs, const float* ys, int n, ImU32 col, float radius) {
    for (int i = 0; i < n; ++i)
        if (std::isfinite(xs[i]) && std::isfinite(ys[i])) g.dl->AddCircleFilled(ToScreen(xs[i], ys[i]), radius, col);
}

void HLine(double y, ImU32 col, const char* label, float thickness, Dash dash) {
    ImVec2 a = ToScreen(g.x.min, y), b = ToScreen(g.x.max, y);
    dashed_polyline(g.dl, {a, b}, col, thickness, dash);
    if (label) g.dl->AddText(ImVec2(a.x + 4, a.y - ImGui::GetFontSize() - 1), theme::muted(), label);   // text: soft ink, never a faint line colour
}

void VLine(double x, ImU32 col, const char* label, float thickness, Dash dash) {
    ImVec2 a = ToScreen(x, g.y.max), b = ToScreen(x, g.y.min);
    dashed_polyline(g.dl, {a, b}, col, thickness, dash);
    if (label) g.dl->AddText(ImVec2(a.x + 3, a.y + 2), theme::muted(), label);
}

void Label(double x, double y, const char* text, ImU32 col, ImVec2 off) {
    ImVec2 s = ToScreen(x, y);
    g.dl->AddText(ImVec2(s.x + off.x, s.y + off.y), col, text);
}

void FillRect(double x0, double y0, double x1, double y1, ImU32 col) {
    ImVec2 a = ToScreen(x0, y0), b = ToScreen(x1, y1);
    g.dl->AddRectFilled(ImVec2(std::min(a.x, b.x), std::min(a.y, b.y)), ImVec2(std::max(a.x, b.x), std::max(a.y, b.y)), col);
}

void FillHalfPlane(double a, double b, double c, ImU32 col) {
    // Clip the plot rectangle (in data space) against a·x + b·y + c >= 0 (Sutherland-Hodgman, one edge).
    double xs[4] = {g.x.min, g.x.max, g.x.max, g.x.min}, ys[4] = {g.y.min, g.y.min, g.y.max, g.y.max};
    std::vector<ImVec2> poly;
    for (int i = 0; i < 4; ++i) {
        int j = (i + 1) % 4;
        double fi = a * xs[i] + b * ys[i] + c, fj = a * xs[j] + b * ys[j] + c;
        if (fi >= 0) poly.push_back(ToScreen(xs[i], ys[i]));
        if ((fi >= 0) != (fj >= 0)) {
            double t = fi / (fi - fj);
            poly.push_back(ToScreen(xs[i] + t * (xs[j] - xs[i]), ys[i] + t * (ys[j] - ys[i])));
        }
    }
    if (poly.size() >= 3) g.dl->AddConvexPolyFilled(poly.data(), int(poly.size()), col);
}

void BoundaryLine(double a, double b, double c, ImU32 col, float thickness, bool dashed) {
    // Where the line crosses the four edges of the data rectangle.
    std::vector<ImVec2> hits;
    auto add = [&](double x, double y) {
        if (x >= g.x.min - 1e-9 && x <= g.x.max + 1e-9 && y >= g.y.min - 1e-9 && y <= g.y.max + 1e-9)
            hits.push_back(ToScreen(x, y));
    };
    if (b != 0) { add(g.x.min, -(a * g.x.min + c) / b); add(g.x.max, -(a * g.x.max + c) / b); }
    if (a != 0) { add(-(b * g.y.min + c) / a, g.y.min); add(-(b * g.y.max + c) / a, g.y.max); }
    if (hits.size() < 2) return;
    ImVec2 p = hits[0], q = hits[0];
    float best = -1;   // the two crossings farthest apart (corners can repeat)
    for (const ImVec2& u : hits)
        for (const ImVec2& v : hits) {
            float d2 = (u.x - v.x) * (u.x - v.x) + (u.y - v.y) * (u.y - v.y);
            if (d2 > best) { best = d2; p = u; q = v; }
        }
    if (!dashed) { g.dl->AddLine(p, q, col, thickness); return; }
    float len = std::sqrt(best), dash = ImGui::GetFontSize() * 0.45f;
    for (float t = 0; t < len; t += 2 * dash) {
        float t1 = std::min(len, t + dash);
        g.dl->AddLine(ImVec2(p.x + (q.x - p.x) * t / len, p.y + (q.y - p.y) * t / len),
                      ImVec2(p.x + (q.x - p.x) * t1 / len, p.y + (q.y - p.y) * t1 / len), col, thickness);
    }
}

int HBars(const char* id, const std::vector<std::string>& labels, const std::vector<float>& values,
          float width, float row_height, float vmin, float vmax, int highlight, const char* fmt, ImU32 col,
          float label_width, ImU32 highlight_col) {
    int n = int(std::min(labels.size(), values.size()));
    if (width <= 0) width = ImGui::GetContentRegionAvail().x;
    if (row_height <= 0) row_height = ImGui::GetFrameHeight();
    if (!(vmax > vmin)) { vmin = 0; vmax = 1; }
    float label_w = 0;
    for (int i = 0; i < n; ++i) label_w = std::max(label_w, ImGui::CalcTextSize(labels[i].c_str()).x);
    label_w = label_width > 0 ? std::min(label_width, width * 0.6f) : std::min(label_w + 8, width * 0.45f);
    float value_w = ImGui::CalcTextSize("-0.000").x;   // room for the widest value read-out
    for (int i = 0; i < n; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, fmt, values[i]);
        value_w = std::max(value_w, ImGui::CalcTextSize(buf).x);
    }
    value_w += 10;
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushID(id);
    ImGui::InvisibleButton("##hbars", ImVec2(width, std::max(1.0f, row_height * n)));
    ImGui::PopID();
    bool item_hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float bx0 = p.x + label_w, bx1 = p.x + width - value_w;
    if (bx1 - bx0 < 10) bx1 = bx0 + 10;
    auto X = [&](float v) { return bx0 + (std::clamp(v, vmin, vmax) - vmin) / (vmax - vmin) * (bx1 - bx0); };
    float zero = X(0);
    int hovered = -1;
    ImU32 base = col ? col : theme::data();
    for (int i = 0; i < n; ++i) {
        float y0 = p.y + i * row_height, y1 = y0 + row_height;
        bool hov = item_hovered && ImGui::GetIO().MousePos.y >= y0 && ImGui::GetIO().MousePos.y < y1;
        if (hov) { hovered = i; dl->AddRectFilled(ImVec2(p.x, y0), ImVec2(p.x + width, y1), theme::grid()); }
        ImU32 c = i == highlight ? (highlight_col ? highlight_col : theme::focus()) : base;
        float v = std::isfinite(values[i]) ? values[i] : 0.0f;
        float xv = X(v);
        dl->AddRectFilled(ImVec2(std::min(zero, xv), y0 + row_height * 0.18f), ImVec2(std::max(zero, xv) + 1, y1 - row_height * 0.18f), c);
        ImGui::PushClipRect(ImVec2(p.x, y0), ImVec2(bx0 - 4, y1), true);
        ImVec2 ts = ImGui::CalcTextSize(labels[i].c_str());
        dl->AddText(ImVec2(bx0 - 6 - std::min(ts.x, label_w - 6), y0 + (row_height - ts.y) / 2), theme::text(), labels[i].c_str());
        ImGui::PopClipRect();
        char buf[32];
        std::snprintf(buf, sizeof buf, fmt, values[i]);
        dl->AddText(ImVec2(bx1 + 6, y0 + (row_height - ts.y) / 2), theme::muted(), buf);
    }
    if (vmin < 0) dl->AddLine(ImVec2(zero, p.y), ImVec2(zero, p.y + row_height * n), theme::muted());
    return hovered;
}

std::string Grouped(double v) {
    if (!std::isfinite(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", std::fabs(v));
    std::string digits = buf, out;
    int k = 0;
    for (int i = int(digits.size()) - 1; i >= 0; --i) {
        out.insert(out.begin(), digits[i]);
        if (++k % 3 == 0 && i > 0) out.insert(out.begin(), ',');
    }
    return (v < 0 ? "-" : "") + out;
}

std::string Short(double v) {
    if (!std::isfinite(v)) return "n/a";
    const char* units[] = {"", "K", "M", "B", "T"};
    double a = std::fabs(v);
    int u = 0;
    while (a >= 1000 && u < 4) { a /= 1000; ++u; }
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, a < 10 && a != std::floor(a) ? "%.2g" : "%.0f", a);
    else std::snprintf(buf, sizeof buf, a < 10 ? "%.1f %s" : "%.0f %s", a, units[u]);
    return (v < 0 ? "-" : "") + std::string(buf);
}

}  // namespace factlab::plot
