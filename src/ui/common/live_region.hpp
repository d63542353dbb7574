// live_region.hpp: each view's main result as plain text, for the page's live
// region (platform/live_text.hpp; docs/accessibility.md).
//
// A view calls say() while it draws, with one or two plain sentences of what it
// shows now (the lookup's answers, the gate's formula, the trace's verdict, the
// worst pair). After the views, an overlay picks the current view's text (a view
// that says nothing is described by its title and blurb) and the tour card's
// text, and sends each to the page only when it changed.
#pragma once
#include <string>

namespace factlab::live {

void say(const char* view_id, const std::string& text);
// What was last sent (0 result, 1 tour): for tests of the native build.
const std::string& sent(int slot);

}  // namespace factlab::live
