// plot.hpp: small plotting helpers drawn with ImGui's ImDrawList (ImPlot is not
// packaged in Debian 12). They follow ImPlot's Begin/Setup/Plot/End discipline:
//
//   if (plot::Begin("hist", ImVec2(-1, 220), {80, 100, "angle (deg)"}, {0, ymax, "pairs"})) {
//       plot::Bars(counts.data(), n, theme::series(0), 80.0, 0.25);
//       plot::VLine(90, theme::muted(), "90°");
//       plot::End();
//   }
//
// Coordinates passed to the Plot* functions are data coordinates of the axes.
#pragma once
#include <string>
#include <vector>
#include <imgui.h>

namespace factlab::plot {

struct Axis {
    double min = 0, max = 1;
    const char* label = nullptr;
    bool log = false;            // log10 scale (min, max > 0)
};

// Reserves `size` (x <= 0: fill the width; y <= 0: 200 px) and sets up the axes.
bool Begin(const char* id, ImVec2 size, Axis x, Axis y);
void End();                                      // axes, ticks, labels, frame

ImVec2 ToScreen(double x, double y);             // data -> pixels
ImVec2 ToData(ImVec2 screen);                    // pixels -> data
bool Hovered();                                  // mouse inside the plot area
ImVec2 MouseData();                              // mouse in data coordinates
ImVec4 Rect();                                   // plot area: x0, y0, x1, y1 (pixels)
ImDrawList* DrawList();

// Lines that colour alone cannot tell apart also differ by dash (docs/palette.md).
enum class Dash { Solid, Dashed, Dotted };

void Bars(const float* ys, int n, ImU32 col, double x0 = 0, double width = 1, double base = 0);
void Line(const float* xs, const float* ys, int n, ImU32 col, float thickness = 2.0f, Dash dash = Dash::Solid);
void LineY(const float* ys, int n, ImU32 col, double x0 = 0, double dx = 1, float thickness = 2.0f, Dash dash = Dash::Solid);
void Points(const float* xs, const float* ys, int n, ImU32 col, float radius = 4.0f);
// Up-pointing triangles (the learned model's marker; circles are the compiled model's).
void Triangles(const float* xs, const float* ys, int n, ImU32 col, float radius = 4.0f);
void HLine(double y, ImU32 col, const char* label = nullptr, float thickness = 1.5f, Dash dash = Dash::Solid);
void VLine(double x, ImU32 col, const char* label = nullptr, float thickness = 1.5f, Dash dash = Dash::Solid);
void Label(double x, double y, const char* text, ImU32 col, ImVec2 pixel_offset = ImVec2(4, -8));
void FillRect(double x0, double y0, double x1, double y1, ImU32 col);
// Fills the region where a·x + b·y + c > 0, clipped to the plot (an AND gate's active half-plane).
void FillHalfPlane(double a, double b, double c, ImU32 col);
// The line a·x + b·y + c = 0 across the plot (the boundary of FillHalfPlane), solid or dashed.
void BoundaryLine(double a, double b, double c, ImU32 col, float thickness = 2.0f, bool dashed = false);

// A labelled horizontal bar chart (probabilities, dot products). Bars are drawn
// from zero, so negative values go left. `highlight` marks one row. Returns the
// hovered row or -1. `label_width` > 0 fixes the label column (to align several
// charts); 0 fits the labels, at most 45% of the width.
int HBars(const char* id, const std::vector<std::string>& labels, const std::vector<float>& values,
          float width, float row_height, float vmin, float vmax, int highlight = -1,
          const char* fmt = "%.2f", ImU32 col = 0, float label_width = 0, ImU32 highlight_col = 0);
// `highlight_col` 0: theme::focus() (the one singled out); the lookup passes theme::answer().

// A legend entry: a short line in `col` with its dash, then the label; wraps like lab::legend.
void LegendLine(ImU32 col, const char* label, Dash dash, bool first = false);
// A dashed or dotted segment from a to b (Solid: one line).
void DashedLine(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, Dash dash);

// Formats numbers for ticks and read-outs: 1.2K, 3.4M, 603,979,776.
std::string Grouped(double v);                   // 603979776 -> "603,979,776"
std::string Short(double v);                     // 1.2e9 -> "1.2 B"

}  // namespace factlab::plot
