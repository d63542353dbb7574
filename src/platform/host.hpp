// host.hpp: what main.cpp shares with the page- and desktop-specific files.
#pragma once
struct GLFWwindow;

namespace factlab::host {
bool init(int width, int height, const char* title);
void render_frame();                  // one full frame: new frame, UI, render (no swap); on the
                                      // page, a frame with the same picture is not painted
int frames_painted();                 // frames that reached the canvas
void shutdown();
GLFWwindow* window();
void ensure_fonts(float scale);
// Frame pacing (main.cpp): draw only when something changed.
void wake();                          // input or another change: draw the next few frames
bool after_frame();                   // after a frame: is another one wanted now?
double next_wake_ms();                // a later moment a frame is due (a message ends), or < 0
// Per platform:
float content_scale();                // device pixels per logical pixel (HiDPI)
void fix_display_size();              // after the GLFW backend's NewFrame: size in device pixels
void restore_state_from_link();       // query + hash -> App::state
}  // namespace factlab::host
