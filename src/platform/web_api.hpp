// web_api.hpp: the page's JS API, as C exports (see web/factlab.js and README "JS API").
#pragma once
namespace factlab {
void web_after_frame();   // mirrors state changes to the URL hash and the host page
}
extern "C" {
const char* factlab_lookup_json(const char* subject);      // same JSON as `factlab-cli lookup --json`
const char* factlab_get_state();                           // the link state "k=v&..."
const char* factlab_set_state(const char* query);          // replaces the state; returns warnings JSON
const char* factlab_load_facts(const char* name, const char* data, int len);  // {"ok", "errors": [...]}
void factlab_gl_context_restored();                        // recreate GL objects after a lost context
}
