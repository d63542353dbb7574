// heatmap.hpp: a matrix drawn as a coloured grid by a GLSL shader, inside an
// ImGui layout, with hover read-out, click, and zoom/pan.
//
// The values live in a one-channel float texture; shaders/heatmap_fs.glsl maps
// them through the theme's diverging (blue-neutral-orange) or sequential
// (neutral-orange) colour map. When a screen pixel covers several cells, it
// shows the most extreme one, so sparse structure survives downscaling.
//
//   static Heatmap hm;                                   // one per panel, persistent
//   hm.set(a.model().mlp.W_up, a.model_version());       // copies + uploads only when the key changes
//   HeatmapStyle st;  st.row_name = [&](int r) { return labels[r]; };
//   HeatmapHover h = hm.draw("W_up", ImVec2(w, h), st);
//   if (h.clicked) select(h.row);
//   HeatmapLegend(hm.color_range(st), st.scale, w);
//
// Everything is in ImGui (device) pixels. GL objects are recreated after a lost
// WebGL context (platform::gl_generation()).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <Eigen/Core>
#include <imgui.h>

namespace factlab {

enum class ColorScale { Diverging, Sequential };

struct HeatmapStyle {
    ColorScale scale = ColorScale::Diverging;
    float vmin = 0, vmax = 0;           // 0, 0: automatic (symmetric max |value|, or the data range)
    int highlight_row = -1;             // outlined (e.g. the selected neuron)
    int highlight_col = -1;
    bool zoom = true;                   // wheel zooms at the cursor, drag pans, double-click resets
    bool tooltip = true;                // hover tooltip with names and value
    const char* value_name = "value";   // in the tooltip: "W_up[r, c]" style names go in row/col names
    std::function<std::string(int)> row_name, col_name;   // optional, for the tooltip
};

struct HeatmapHover {
    bool hovered = false;               // the mouse is over a cell
    int row = -1, col = -1;             // the cell under the mouse
    float value = 0;
    bool clicked = false;               // a click (not a drag) on that cell
};

struct HeatmapRange { float lo, hi; };  // the colour scale actually used

class Heatmap {
public:
    Heatmap() = default;
    ~Heatmap();
    Heatmap(const Heatmap&) = delete;
    Heatmap& operator=(const Heatmap&) = delete;

    // Copies a (rows, cols) matrix; `key` identifies its content (e.g. model
    // version + which matrix): an equal key and shape skip the copy and upload.
    void set(const Eigen::Ref<const Eigen::MatrixXf>& values, uint64_t key);
    int rows() const { return rows_; }
    int cols() const { return cols_; }
    float at(int r, int c) const { return data_[size_t(r) * cols_ + c]; }
    float max_abs() const { return max_abs_; }

    // Draws the heatmap into a `size` rectangle at the cursor (an item of that size).
    HeatmapHover draw(const char* id, ImVec2 size, const HeatmapStyle& style = {});
    HeatmapRange color_range(const HeatmapStyle& style) const;

    // Zoom window in cells [col0, col1) x [row0, row1); reset shows everything.
    void reset_zoom();
    bool zoomed() const;
    void zoom_by(float factor);          // about the window's centre (for +/- buttons)

private:
    void upload();
    std::vector<float> data_;            // row-major (rows, cols), as the texture
    int rows_ = 0, cols_ = 0;
    float min_ = 0, max_ = 0, max_abs_ = 0;
    uint64_t key_ = ~uint64_t(0);
    unsigned tex_ = 0;
    unsigned tex_generation_ = ~0u;
    bool dirty_ = true;
    int tex_rows_ = 0, tex_cols_ = 0;    // texture size (downsampled if over the GL limit)
    float view_[4] = {0, 0, 0, 0};       // col0, row0, col1, row1
    bool dragging_ = false;
    ImVec2 press_pos_;
};

// A colour bar for a heatmap's scale with its end and zero values, `width` wide.
void HeatmapLegend(HeatmapRange range, ColorScale scale, float width, const char* label = nullptr);

}  // namespace factlab
