// state_links.cpp: see state_links.hpp.
#include "ui/common/state_links.hpp"

namespace factlab {

// figure, bg and text: how an embed is shown as a figure (state_figure.hpp).
bool is_page_key(std::string_view key) {
    return key == "embed" || key == "controls" || key == "figure" || key == "bg" || key == "text" ||
           key == "transcript";   // the text strip under the canvas (docs/accessibility.md)
}

State shareable(const State& s) {
    State out;
    for (const auto& [k, v] : s.items())
        if (!is_page_key(k)) out.set(k, v);
    return out;
}

static std::string query_without(const State& s, bool drop_view) {
    std::string out;
    for (const auto& [k, v] : s.items()) {
        if (is_page_key(k) || (drop_view && k == "view")) continue;
        if (!out.empty()) out += '&';
        out += k;
        out += '=';
        out += percent_encode(v);
    }
    return out;
}

std::string share_query(const State& s) { return query_without(s, false); }

std::string lab_link(std::string_view base, const State& s) {
    std::string q = share_query(s);
    std::string out(base);
    if (!q.empty()) out += "#" + q;
    return out;
}

std::string embed_url(std::string_view base, const State& s, std::string_view view, bool controls) {
    std::string out(base);
    out += "?embed=1&view=";
    out += percent_encode(view);
    if (!controls) out += "&controls=0";
    std::string q = query_without(s, true);
    if (!q.empty()) out += "#" + q;
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string embed_snippet(std::string_view base, const State& s, std::string_view view, bool controls,
                          int height, std::string_view title) {
    if (height < 120) height = 120;
    if (height > 2000) height = 2000;
    return "<iframe src=\"" + html_escape(embed_url(base, s, view, controls)) + "\" width=\"100%\" height=\"" +
           std::to_string(height) + "\" style=\"border:0;max-width:100%\" loading=\"lazy\" title=\"" +
           html_escape(title) + "\" allow=\"clipboard-write\"></iframe>";
}

void replace_keep_page_keys(State* s, const State& next) {
    State keep;
    for (const auto& [k, v] : s->items())
        if (is_page_key(k) && !next.has(k)) keep.set(k, v);
    s->clear();
    for (const auto& [k, v] : keep.items()) s->set(k, v);
    for (const auto& [k, v] : next.items()) s->set(k, v);
}

}  // namespace factlab
