// share.hpp: the page shell inside the app: the top bar (labs, tour, theme,
// "Copy link", "Copy embed code", facts import), the Share items of each
// view's menu, the embed-mode fallback for an unknown view, and the handler
// for messages from a host page (docs/embed.md).
#pragma once
#include <string>
#include <string_view>
#include "ui/common/app.hpp"

namespace factlab::share {

// The view on screen: the state's "view" when it names one, else the first view.
const ViewInfo* effective_view(const App& a);
// The top bar of the full lab; compact (a lab menu and a "More" menu) when narrow.
void draw_top_bar(App& a, const ViewInfo* cur);
// Items for a view's menu: copy a link to it, copy its embed code.
void view_menu_items(App& a, const ViewInfo& v);
// Embed mode when the link names a view that does not exist: says so and lists them.
void draw_unknown_view(App& a, const std::string& id);
// One message from a host page (JSON text): applies it and returns the reply
// JSON, or "" when the message is not for factlab (ignore it).
std::string handle_host_message(App& a, std::string_view json);
// The message that tells a host page factlab is ready.
std::string ready_message(const App& a);

// Facts import (import.cpp): the "Load facts..." button (file picker on the page,
// a path field natively) and "Built-in facts" when other facts are loaded.
void import_buttons(App& a, bool as_menu_items);

}  // namespace factlab::share
