// tour.hpp: the guided tour that follows the video's story, step by step.
//
// The tour lives in the state like everything else: "tour=N" (1-based) shows
// step N's card over the lab; no "tour" key, no card. So every step has its
// own permalink (#tour=3&...), and a host page can drive it (factlab:tour).
// Each step names the state it needs (view, subject, sliders) and sets it
// when the reader arrives at the step.
#pragma once
#include <string>
#include "ui/common/app.hpp"

namespace factlab::tour {

struct Step {
    const char* title;
    const char* body;      // plain English, about 40 words at most, ending with one thing to do
    const char* why;       // the maths and the sources, behind "why?"
    const char* state;     // "view=and-gate&subject=Michael%20Jordan": set on arrival
    const char* clear;     // "gate_bias,neuron": erased on arrival (comma-separated)
};

int step_count();
const Step& step(int n);                  // 1..step_count()
int current(const App& a);                // 0 when the tour is closed
// Goes to step n (0 closes the tour; clamped to the last step) and applies its state.
void go(App& a, int n);
// The permalink of step n: BASE#tour=n&<its state>.
std::string step_link(int n);

}  // namespace factlab::tour
