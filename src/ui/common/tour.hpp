// tour.hpp: the guided tour that follows the video's story, step by step, then
// goes from the cartoon to a transformer that learned the facts from sentences.
//
// The tour lives in the state like everything else: "tour=N" (1-based) shows
// step N's card beside its panel; no "tour" key, no card. So every step has its
// own permalink (#tour=3&...), and a host page can drive it (factlab:tour).
// Each step names the state it needs (view, subject, sliders) and sets it
// when the reader arrives at the step. Some steps ask first and reveal after:
// the reader picks an answer, the card says why, and the step may then change
// the panel to show it (reveal_state).
#pragma once
#include <string>
#include "ui/common/app.hpp"

namespace factlab::tour {

struct Step {
    const char* title;
    const char* body;          // at most 40 words, ending with one thing to do or a question
    const char* choices;       // "Yes|No": the answers to the body's question ("" = no question)
    int answer;                // index of the right one in choices
    const char* reveal;        // shown once the reader answered (with the body: at most 40 words)
    const char* reveal_state;  // set when the reader answers ("subject=Michael%20Phelps"), or ""
    const char* why;           // the maths and the sources, behind "why?"
    const char* state;         // "view=and-gate&subject=Michael%20Jordan": set on arrival
    const char* clear;         // "gate_bias,neuron": erased on arrival (comma-separated)
};

int step_count();
const Step& step(int n);                  // 1..step_count()
int current(const App& a);                // 0 when the tour is closed
// Goes to step n (0 closes the tour; clamped to the last step) and applies its state.
void go(App& a, int n);
// The permalink of step n: BASE#tour=n&<its state>.
std::string step_link(int n);

// The panel the card talks about (app.cpp: the focused view, each frame it is
// drawn): its rectangle and the part of the screen its parent shows (clip).
void note_panel(float x0, float y0, float x1, float y1, float clip_x0, float clip_y0, float clip_x1, float clip_y1);
// Height the lab grid leaves free at the bottom for the card (narrow screens,
// where the card sits under its panel), 0 when the card sits beside it.
float reserved_bottom(const App& a);
// Where the card and its panel are this frame, for tests and the page
// (factlab.tour()): {"step", "steps", "title", "text", "choices", "answered",
// "placement", "card": [x, y, w, h], "panel": [...], "panel_full": [...],
// "display": [w, h], "buttons": [{"label", "rect"}]}, in ImGui's pixels.
std::string layout_json(const App& a);

}  // namespace factlab::tour
