// theme.hpp: colours and spacing shared by every panel.
// The palette is Okabe & Ito's colour-blind-safe set; the diverging colour map
// (blue-white-orange) reads for every common colour-vision deficiency.
#pragma once
#include <imgui.h>

namespace factlab::theme {

// Okabe-Ito: use these for series and highlights, never pure red/green pairs.
inline constexpr ImU32 kBlue      = IM_COL32(0, 114, 178, 255);
inline constexpr ImU32 kOrange    = IM_COL32(230, 159, 0, 255);
inline constexpr ImU32 kSkyBlue   = IM_COL32(86, 180, 233, 255);
inline constexpr ImU32 kGreen     = IM_COL32(0, 158, 115, 255);
inline constexpr ImU32 kYellow    = IM_COL32(240, 228, 66, 255);
inline constexpr ImU32 kVermilion = IM_COL32(213, 94, 0, 255);
inline constexpr ImU32 kPurple    = IM_COL32(204, 121, 167, 255);

void apply(bool dark, float scale);       // ImGui style for the theme and a touch-friendly scale
bool is_dark();
ImU32 text();                             // main text colour of the theme
ImU32 muted();                            // secondary text, grid lines
ImU32 grid();                             // faint grid
ImU32 positive();                         // "fires", "correct" (blue)
ImU32 negative();                         // "off", "wrong" (vermilion)
ImU32 highlight();                        // the selected thing (orange)
ImU32 series(int i);                      // i-th categorical colour
ImU32 diverging(float t);                 // t in [-1, 1] -> blue .. neutral .. orange
ImU32 with_alpha(ImU32 c, float a);

}  // namespace factlab::theme
