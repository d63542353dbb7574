// live_text.cpp: the C++ -> page channel of live_text.hpp. The page side is
// factlabPage.liveText in web/factlab-page.js (textContent only, never HTML).
#include "platform/live_text.hpp"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
// (slot, pointer, byte length): read as UTF-8 up to the length, never past it.
EM_JS(void, js_live_text, (int slot, const char* text, int len), {
    var s = UTF8ToString(text, len);
    if (window.factlabPage && window.factlabPage.liveText) window.factlabPage.liveText(slot, s);
});
#endif

namespace factlab::platform {

std::string bounded_live_text(const std::string& text) {
    if (text.size() <= kLiveMaxBytes) return text;
    static const char kEllipsis[] = "\xE2\x80\xA6";   // …
    size_t cut = kLiveMaxBytes - (sizeof kEllipsis - 1);
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;   // not inside a character
    return text.substr(0, cut) + kEllipsis;
}

void set_live_text(LiveSlot slot, const std::string& text) {
#ifdef __EMSCRIPTEN__
    std::string t = bounded_live_text(text);
    js_live_text(int(slot), t.c_str(), int(t.size()));
#else
    (void)slot;
    (void)text;
#endif
}

}  // namespace factlab::platform
