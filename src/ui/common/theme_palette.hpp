// theme_palette.hpp: the lab's one palette, as plain numbers (no ImGui), so a
// test can compute every contrast ratio from the colours the page really uses.
// theme.cpp copies these colours into ImGui's style; docs/palette.md says what
// each colour means. Okabe & Ito's colour-blind-safe hues carry the meanings;
// what a colour alone cannot tell apart is told by a dash or a marker shape.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace factlab::theme {

struct Rgba {
    uint8_t r = 0, g = 0, b = 0, a = 255;
};

// Okabe-Ito hues (Okabe & Ito 2008, "Color Universal Design").
inline constexpr Rgba kOiBlue{0, 114, 178}, kOiOrange{230, 159, 0}, kOiSkyBlue{86, 180, 233},
    kOiGreen{0, 158, 115}, kOiYellow{240, 228, 66}, kOiVermilion{213, 94, 0}, kOiPurple{204, 121, 167};

// One theme's colours. "mark" colours are for fills, bars, lines and dots (at
// least 3:1 against the panel, WCAG's bar for graphics); "ink" colours are for
// text in that meaning (at least 4.5:1 against every background text sits on).
struct Palette {
    bool dark = false;
    // Surfaces.
    Rgba window_bg, panel_bg, plot_bg, row_alt, frame_bg, frame_hover, frame_active, popup_bg, border, field_border;
    Rgba button, button_hover, button_active, button_text;      // plain buttons
    Rgba progress;                                              // a progress bar's done part (text sits on it)
    Rgba primary, primary_hover, primary_text;                  // the one prominent action ("Start the tour")
    Rgba tab, tab_active, tab_text, tab_active_text;            // lab tabs and step tabs
    Rgba chip, chip_selected, chip_text, chip_selected_text;    // selectable suggestion chips
    // Text.
    Rgba text, soft;          // main text; instructions, captions, axis ticks (still >= 4.5:1)
    Rgba placeholder;         // a text field's hint
    // Meanings (docs/palette.md): mark / ink pairs.
    Rgba firing, firing_ink;          // a neuron that fires; above zero; a positive weight (blue)
    Rgba silent, silent_ink;          // a neuron that stays silent (grey, hollow marker)
    Rgba negative;                    // below zero: a negative weight (orange; colour maps only)
    Rgba answer, answer_ink;          // the model's answer, a fact recalled right (bluish green, ✓)
    Rgba wrong, wrong_ink;            // a wrong answer, an error, the impossible region (vermilion, ✗)
    Rgba focus, focus_ink;            // the one singled out: the chosen subject, the worst pair (reddish purple)
    Rgba video, video_ink;            // the video's claim or numbers (yellow band; ink for its labels)
    Rgba bound;                       // a bound or limit line: text colour, told apart by dash
    Rgba learned, learned_ink;        // the learned (trained) model (sky blue, triangles, dashed)
    Rgba compiled;                    // the compiled model (text colour, circles, solid)
    Rgba data;                        // measured values with no other meaning (slate)
    Rgba grid;                        // faint grid (alpha)
};

const Palette& palette(bool dark);

// WCAG 2.1 relative luminance and contrast ratio (1 .. 21) of opaque colours.
double luminance(Rgba c);
double contrast(Rgba a, Rgba b);
Rgba over(Rgba fg, Rgba bg);                 // fg (with its alpha) composited over opaque bg
// The colour nearest `c` (mixed toward black or white) with at least `target`
// contrast against every background in `bgs`.
Rgba ink_for(Rgba c, const std::vector<Rgba>& bgs, double target);
// Black or white, whichever reads better on `bg` (a label on a filled mark).
Rgba text_on(Rgba bg);

// Every (text, background) pair the lab draws, for the contrast test.
struct TextPair {
    std::string what;          // "soft text on a panel", "answer ink on a plot", ...
    Rgba fg, bg;
};
std::vector<TextPair> text_pairs(bool dark);

}  // namespace factlab::theme
