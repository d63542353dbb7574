// web_api.hpp: the page's JS API, as C exports (see web/factlab-page.js, README
// "JS API" and docs/embed.md). factlab_frame_now, factlab_paste and
// factlab_gl_context_restored live in platform_web.cpp (page only).
#pragma once
namespace factlab {
void web_after_frame();   // mirrors state changes to the URL hash and the host page
void web_post_ready();    // once, before the first web_after_frame: "factlab:ready" to the host page
}
// Every text from the page comes as (pointer, length) in the heap: the page
// bounds it first (web/factlab-page.js callText), and these bound it again.
extern "C" {
const char* factlab_lookup_json(const char* subject, int len);   // same JSON as `factlab-cli lookup --json`
const char* factlab_get_state();                           // the link state "k=v&..."
const char* factlab_set_state(const char* query, int len); // replaces the state; returns warnings JSON
const char* factlab_load_facts(const char* name, int name_len, const char* data, int len);  // {"ok", "errors": [...]}
void factlab_gl_context_restored();                        // recreate GL objects after a lost context
const char* factlab_views_json();                          // [{"id", "title", "lab"}, ...] of the registered views
const char* factlab_message(const char* json, int len);    // a host page's message -> reply JSON ("" = not ours)
void factlab_frame_now();                                  // one frame now, inside a DOM event (user gesture)
void factlab_paste(const char* text, int len);             // pasted text, typed into the focused ImGui text field
int factlab_frame_count();                                 // frames drawn (ImGui's count): a frozen loop stops it
const char* factlab_messages_json();                       // [{"text", "error"}] shown now at the page's bottom
int factlab_pointer_target();                              // what a press is on: 0 scroll .. 3 drag (web_api.cpp)
void factlab_touch_scroll(float dx, float dy);             // a finger scroll, device pixels (chains to parents)
float factlab_font_px();                                   // ImGui's font size in device pixels
int factlab_wants_text();
const char* factlab_tour_json();                           // the tour card and its panel (tour.hpp layout_json)                                  // an ImGui text field has the keyboard
}
