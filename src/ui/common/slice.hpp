// slice.hpp: frame-sliced work for the labs, and the meters their views show.
//
// The page has one thread: a long computation (an optimiser at 10,000 × 100, a
// capacity sweep) runs a few milliseconds per frame, so the page keeps drawing.
//   Budget   a deadline for this frame's work; jobs check it between small steps.
//   Meter    frames per second and work rate (steps per second), smoothed, so the
//            views can show the reader that the page stays responsive.
#pragma once
#include <algorithm>
#include <cmath>
#include "platform/platform.hpp"

namespace factlab {

// Work per frame: about 12 ms leaves time to draw at 30-60 frames per second.
constexpr double kFrameWorkMs = 12.0;
constexpr double kFrameWorkMaxMs = 30.0;
// "fast": the reader trades frames for speed on a long run (a few frames a second).
constexpr double kFastWorkMs = 250.0;

struct Budget {
    double start_ms = 0, limit_ms = kFrameWorkMs;
    explicit Budget(double limit = kFrameWorkMs) : start_ms(platform::now_ms()), limit_ms(limit) {}
    double elapsed() const { return platform::now_ms() - start_ms; }
    double left() const { return std::max(0.0, limit_ms - elapsed()); }
    bool over() const { return elapsed() >= limit_ms; }
};

// Smoothed frame rate and work rate. tick() once per frame; add() after work.
struct Meter {
    double last_frame_ms = 0;
    double frame_ms = 16.7;      // smoothed time between frames
    double work_ms = 0;          // smoothed work time per frame
    double rate = 0;             // smoothed work units (steps) per second of wall time
    double pending_units = 0, pending_ms = 0;
    void tick() {
        double now = platform::now_ms();
        if (last_frame_ms > 0) {
            double dt = std::min(now - last_frame_ms, 2000.0);
            frame_ms += (dt - frame_ms) * 0.1;
            work_ms += (pending_ms - work_ms) * 0.1;
            if (pending_units > 0 || pending_ms > 0) {
                double r = dt > 0 ? pending_units * 1000.0 / dt : 0;
                rate += (r - rate) * 0.05;
            }
        }
        pending_units = pending_ms = 0;
        last_frame_ms = now;
    }
    void add(double units, double ms) { pending_units += units; pending_ms += ms; }
    double fps() const { return frame_ms > 0 ? 1000.0 / frame_ms : 0; }
    // This frame's work budget: 12 ms, or a third of the time the page needs to
    // draw a frame when drawing is slow (software GL), up to 30 ms. A fast page
    // (drawing in a few ms) keeps 12 ms; a slow one keeps three quarters of its
    // frame rate, and the work does not crawl at a few percent of the time.
    double budget() const {
        double draw_ms = std::max(0.0, frame_ms - work_ms);
        return std::clamp(draw_ms / 3.0, kFrameWorkMs, kFrameWorkMaxMs);
    }
};

}  // namespace factlab
