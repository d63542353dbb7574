// live_text.hpp: the page's text copy of what the canvas shows (docs/accessibility.md).
//
// Two slots, each mirrored into a DOM element of web/index.html as textContent:
//   kResult  the current view's main result ("Michael Jordan: sport basketball (p 0.94), ...")
//   kTour    the tour card's step, title and text
// The page's elements are an aria-live="polite" region, so screen readers, the
// browser's find (Ctrl-F) and its translation reach them. Callers send only
// when a text changed (src/ui/common/live_region.cpp): an idle page writes nothing.
// Natively this is a no-op.
#pragma once
#include <string>

namespace factlab::platform {

enum LiveSlot { kLiveResult = 0, kLiveTour = 1 };
constexpr size_t kLiveMaxBytes = 2000;      // longer texts are cut at a character boundary, with "…"

// Cuts `text` to at most kLiveMaxBytes bytes of whole UTF-8 characters (ending in "…" when cut).
std::string bounded_live_text(const std::string& text);
void set_live_text(LiveSlot slot, const std::string& text);

}  // namespace factlab::platform
