// state_links.hpp: links and embed snippets made from the lab's state.
//
// A link is BASE#state (the full lab, exactly this state). An embed is
// BASE?embed=1&view=NAME[&controls=0]#state inside an <iframe>. The "page
// keys" (embed, controls) describe how the page is shown, not what it shows:
// they live in the query string of an embed and never enter a shared link.
// Pure C++ (no ImGui): compiled into factlab_state and tested with it.
#pragma once
#include <string>
#include <string_view>
#include "ui/common/state.hpp"

namespace factlab {

bool is_page_key(std::string_view key);                 // "embed", "controls", "figure", "bg", "text", "transcript"
State shareable(const State& s);                         // s without the page keys: what a link carries
// The state as "k=v&..." without the page keys: what the URL hash holds and
// what factlab:state messages carry.
std::string share_query(const State& s);
// BASE#share_query: opens the full lab at this state (also "open in factlab").
std::string lab_link(std::string_view base, const State& s);
// BASE?embed=1&view=VIEW[&controls=0]#state (state without page keys and view).
std::string embed_url(std::string_view base, const State& s, std::string_view view, bool controls);
// <iframe src="..." width="100%" height="H" style="border:0" loading="lazy" title="..."></iframe>
std::string embed_snippet(std::string_view base, const State& s, std::string_view view, bool controls,
                          int height, std::string_view title);
// Escapes & < > " ' for an HTML attribute or text.
std::string html_escape(std::string_view s);
// Replaces *s by `next`, keeping the page keys of *s that `next` does not set.
void replace_keep_page_keys(State* s, const State& next);

}  // namespace factlab
