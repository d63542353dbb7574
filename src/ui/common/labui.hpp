// labui.hpp: small widgets shared by the superposition and capacity labs'
// views: captions, progress bars with a time-left estimate, rows of buttons
// that wrap at phone width, legends and number formatting.
#pragma once
#include <string>
#include <imgui.h>

namespace factlab {
struct App;
}

namespace factlab::lab {

void caption(const char* text);                    // one plain line, muted, wrapped
void note(const char* text);                       // wrapped body text
void text_wrapped_colored(ImU32 col, const char* fmt, ...) IM_FMTARGS(2);
// Puts the next item on the current line when `width` pixels still fit, else on a
// new line: rows of buttons wrap at 390 px instead of being clipped.
void same_line_if_fits(float width);
// A button that wraps as above (call between items of one row; first = no wrap).
bool row_button(const char* label, bool first = false);
float button_width(const char* label);
// A progress bar with "what · 42% · 1 min 3 s left" on it (seconds_left < 0: unknown).
void progress_eta(float fraction, double seconds_left, const char* what);
// A small coloured square and its label, wrapping like row_button.
void legend(ImU32 col, const char* label, bool first = false);
// A label above a control of the full width (narrow) or beside it (wide).
void field_label(const char* label, float label_width);

// Controls bound to URL state: read every frame with bounds, written on change.
// Inside begin_controls/end_controls they flow into 1 (narrow) or 2 columns.
bool begin_controls(const char* id, int max_columns = 2);
void end_controls();
bool slider_int(App& a, const char* label, const char* key, int def, int lo, int hi, bool log = false,
                const char* fmt = "%d");
// The same, but the state (and so a costly reset) changes only when the drag ends.
bool slider_int_on_release(App& a, const char* label, const char* key, int def, int lo, int hi, bool log = false,
                           const char* fmt = "%d");
bool slider_float(App& a, const char* label, const char* key, float def, float lo, float hi, bool log = false,
                  const char* fmt = "%.3g");
// A combo over `n` choices stored as the chosen index; returns the index.
int combo_index(App& a, const char* label, const char* key, int def, const char* const* items, int n);
void next_control();                                // move to the next cell (for custom widgets)

std::string seconds_text(double s);                // "0.4 s", "12 s", "2 min 10 s", "1 h 5 min"
std::string pct_text(double fraction, int decimals = 1);   // 0.995 -> "99.5%"
std::string deg_text(double deg, int decimals = 2);        // "84.29°"
bool narrow();                                      // the window is phone-narrow (< 30 em)

}  // namespace factlab::lab
