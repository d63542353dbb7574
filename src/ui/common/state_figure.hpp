// state_figure.hpp: the page keys of an embed shown as a figure (docs/embed.md).
//
// An embed (embed=1) is a figure by default: no panel title, no Export, no
// inner scrollbar, its height told to the host. These keys tune it:
//   figure=0        the old panel look (title bar and Export) inside the iframe
//   bg=transparent  the host page's own background shows through
//   bg=RRGGBB|RGB   a background colour (a leading '#', written %23, is allowed)
//   text=N          the text size in CSS pixels, 13-28 (default 16)
// Every value is checked here: a bad one gets a message and the default, an
// out-of-range text size is clamped (with a message). Pure C++ (no ImGui):
// part of factlab_state, tested and fuzzed with it.
#pragma once
#include <string>
#include <vector>
#include "ui/common/state.hpp"

namespace factlab {

struct FigureParams {
    bool figure = false;          // embed=1 and not figure=0
    bool transparent = false;     // bg=transparent
    bool has_colour = false;      // bg=RRGGBB
    float rgb[3] = {0, 0, 0};     // 0..1, when has_colour
    int text_px = 16;             // CSS px
    // "#rrggbb", "transparent" or "" (the theme's): safe to hand to CSS as it is.
    std::string css_background() const;
    // A light colour wants dark text: true when the colour's relative luminance is low.
    bool colour_is_dark() const;
};

constexpr int kFigureTextMin = 13, kFigureTextMax = 28, kFigureTextDefault = 16;

// Reads figure, bg and text from the state (embed decides whether figure mode
// is on at all); appends one message per bad value to *warnings (may be null).
FigureParams figure_params(const State& s, std::vector<std::string>* warnings = nullptr);

}  // namespace factlab
