// figure.hpp: an embed shown as a figure in a host page (docs/embed.md).
//
// With embed=1 (and not figure=0) the one view is drawn without panel chrome
// (no title, no Export, no border, no scrollbar of its own), as tall as its
// content, on the host's background (bg=), with text of the host's size
// (text=), above a footer strip that holds the page's "open in factlab" link
// and nothing else. The content's height is reported (report()) so the page can
// tell the host (a factlab:size message) and the host can fit the iframe.
// The keys are read and checked in state_figure.cpp.
#pragma once
#include <string>

namespace factlab {
struct App;
}

namespace factlab::figure {

bool active(const App& a);
// Called first thing in App::frame: a bg colour chooses the theme when the link does not.
void begin_frame(App& a);
// Draws the embed as a figure (instead of App::frame's usual embed branch).
void frame(App& a);
// The text size asked for (text=) as a factor on the UI's 16 px: 1 outside embeds.
float text_scale(const App& a);

// What the last frame laid out, in device pixels.
struct Report {
    bool active = false;
    float content_height = 0;   // the figure's full height, footer included: what the iframe should be
    float width = 0;            // the width it was laid out at
    float footer_height = 0;    // the strip at the bottom that holds the link
    float scroll_max = 0;       // > 0: the frame is shorter than the figure (the host did not fit it)
    int clipped = 0;            // child regions inside the view that hide content (lists cut short)
    std::string background;     // "transparent", "#rrggbb" or "" (the theme's)
};
const Report& report();

}  // namespace factlab::figure
