// theme.hpp: colours and spacing shared by every panel.
// One palette (theme_palette.hpp, docs/palette.md): each colour has one meaning
// everywhere, from Okabe & Ito's colour-blind-safe set; where colour alone
// cannot tell two things apart, a dash or a marker shape does. A "mark" is for
// fills, bars, lines and dots; an "_ink" is the same meaning as readable text.
#pragma once
#include <imgui.h>
#include "ui/common/theme_palette.hpp"

namespace factlab::theme {

// Okabe-Ito hues, for code that needs a raw hue (prefer the meanings below).
inline constexpr ImU32 kBlue      = IM_COL32(0, 114, 178, 255);
inline constexpr ImU32 kOrange    = IM_COL32(230, 159, 0, 255);
inline constexpr ImU32 kSkyBlue   = IM_COL32(86, 180, 233, 255);
inline constexpr ImU32 kGreen     = IM_COL32(0, 158, 115, 255);
inline constexpr ImU32 kYellow    = IM_COL32(240, 228, 66, 255);
inline constexpr ImU32 kVermilion = IM_COL32(213, 94, 0, 255);
inline constexpr ImU32 kPurple    = IM_COL32(204, 121, 167, 255);

void apply(bool dark, float scale);       // ImGui style for the theme and a touch-friendly scale
bool is_dark();
const Palette& current();                 // the palette of the theme in use
ImU32 u32(Rgba c);

// Text and surfaces.
ImU32 text();                             // main text colour of the theme
ImU32 muted();                            // instructions, captions, ticks: soft but >= 4.5:1
ImU32 grid();                             // faint grid
ImU32 plot_bg();                          // a plot's area
ImU32 text_on(ImU32 fill);                // black or white, whichever reads on a filled mark

// Meanings (docs/palette.md).
ImU32 firing();      ImU32 firing_ink();      // fires, above zero, a positive weight: blue, filled ●
ImU32 silent();      ImU32 silent_ink();      // stays silent (ReLU gives 0): grey, hollow ○
ImU32 weight_pos();  ImU32 weight_neg();      // colour maps: blue above zero, orange below
ImU32 answer();      ImU32 answer_ink();      // the model's answer, recalled right: bluish green, ✓
ImU32 wrong();       ImU32 wrong_ink();       // wrong, an error, the impossible region: vermilion, ✗
ImU32 focus();       ImU32 focus_ink();       // the one singled out (chosen subject, worst pair): reddish purple
inline ImU32 worst_pair() { return focus(); }
inline ImU32 worst_pair_ink() { return focus_ink(); }
ImU32 video();       ImU32 video_ink();       // the video's claim (89°-91°): a yellow band, dotted line
ImU32 bound();                                // bounds and limits: text colour, dashed (Welch) / dotted (Levenshtein)
ImU32 learned();     ImU32 learned_ink();     // the learned model: sky blue, dashed, ▲
ImU32 compiled();                             // the compiled model: text colour, solid, ●
ImU32 data();                                 // measured values with no other meaning (slate bars)

// Older names, kept so code written against them still builds: each now means one thing.
inline ImU32 positive() { return firing(); }
inline ImU32 negative() { return wrong(); }
inline ImU32 highlight() { return focus(); }

ImU32 series(int i);                      // i-th categorical colour (sweeps: one line per setting)
ImU32 diverging(float t);                 // t in [-1, 1] -> orange (below zero) .. neutral .. blue (above)
ImU32 with_alpha(ImU32 c, float a);

}  // namespace factlab::theme
