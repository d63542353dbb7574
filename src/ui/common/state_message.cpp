// state_message.cpp: see state_message.hpp. Everything here treats its input as
// hostile; nlohmann::json is used without exceptions (wasm builds have none).
#include "ui/common/state_message.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include "ui/common/state_links.hpp"

namespace factlab {

using nlohmann::json;

// Nesting depth of a JSON text, counted outside strings; stops early past `max`.
static bool depth_ok(std::string_view text, int max) {
    int depth = 0;
    bool in_string = false, escape = false;
    for (char c : text) {
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '{' || c == '[') { if (++depth > max) return false; }
        else if (c == '}' || c == ']') --depth;
    }
    return true;
}

static std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The value of a top-level key (e.g. "id", "type") of a message too big or too
// deep to parse, found by a scan that tracks strings and depth, then checked by
// parsing that value alone: a string of up to max_len bytes or an integer, as
// JSON text. "" when there is none or it is not such a value.
static std::string shallow_value(std::string_view text, std::string_view quoted_key, size_t max_id) {
    int depth = 0;
    bool key_next = false;                       // at depth 1, the next string is a key
    for (size_t i = 0; i < text.size() && i < (1u << 20); ++i) {
        char c = text[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            if (j >= text.size()) return "";
            std::string_view str = text.substr(i, j + 1 - i);
            i = j;
            if (depth != 1 || !key_next || str != quoted_key) { key_next = false; continue; }
            size_t k = j + 1;
            while (k < text.size() && (text[k] == ' ' || text[k] == '\n' || text[k] == '\t' || text[k] == '\r')) ++k;
            if (k >= text.size() || text[k] != ':') return "";
            size_t v0 = k + 1, v1 = v0;
            while (v1 < text.size() && v1 - v0 <= max_id + 8 && text[v1] != ',' && text[v1] != '}') {
                if (text[v1] == '"') { ++v1; while (v1 < text.size() && text[v1] != '"') v1 += text[v1] == '\\' ? 2 : 1; }
                ++v1;
            }
            json v = json::parse(text.begin() + std::min(v0, text.size()), text.begin() + std::min(v1, text.size()), nullptr, false);
            if (v.is_string() && v.get_ref<const std::string&>().size() <= max_id) return dump(v);
            if (v.is_number_integer() || v.is_number_unsigned()) return dump(v);
            return "";
        }
        if (c == '{' || c == '[') { ++depth; key_next = depth == 1 && c == '{'; }
        else if (c == '}' || c == ']') --depth;
        else if (c == ',' && depth == 1) key_next = true;
    }
    return "";
}
static std::string shallow_id(std::string_view text, size_t max_id) { return shallow_value(text, "\"id\"", max_id); }

// A key for an error message: only the characters a state key may have, short.
static std::string shown_key(std::string_view k) {
    std::string out = percent_encode(k.substr(0, 32));
    return out.size() > 48 ? out.substr(0, 48) + "..." : out;
}


// One state value from JSON: strings as they are, finite numbers in their
// shortest JSON form, booleans as 1/0. Anything else is refused.
static bool value_text(const json& v, std::string* out) {
    if (v.is_string()) { *out = v.get_ref<const std::string&>(); return true; }
    if (v.is_boolean()) { *out = v.get<bool>() ? "1" : "0"; return true; }
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (!std::isfinite(d)) return false;
        *out = dump(v);
        return true;
    }
    if (v.is_number()) { *out = dump(v); return true; }
    return false;
}

// "k=v&k2=" (an empty value erases k2 in a merge), with the link's rules.
static bool patch_from_query(std::string_view q, HostMessage* m, bool merge, std::string* error) {
    StateLimits lim;
    if (q.size() > 3 * lim.max_text) { *error = "state text is longer than " + std::to_string(3 * lim.max_text) + " bytes"; return false; }
    if (!q.empty() && (q[0] == '#' || q[0] == '?')) q.remove_prefix(1);
    size_t count = 0;
    while (!q.empty()) {
        size_t amp = q.find('&');
        std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string key, value;
        if (!percent_decode(pair.substr(0, eq), &key) ||
            (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), &value))) {
            *error = "malformed %-escape in state text";
            return false;
        }
        if (eq == std::string_view::npos) value = "1";
        if (!valid_state_key(key)) { *error = "state key '" + shown_key(key) + "' is not allowed (use a-z 0-9 _ . -, up to 32)"; return false; }
        if (!valid_state_value(value)) { *error = "bad value for state key '" + key + "'"; return false; }
        if (++count > lim.max_keys) { *error = "more than " + std::to_string(lim.max_keys) + " state keys"; return false; }
        if (value.empty()) { if (merge) m->erase.push_back(key); }
        else m->patch.set(key, value);
    }
    return true;
}

static bool patch_from_object(const json& obj, HostMessage* m, bool merge, std::string* error) {
    StateLimits lim;
    if (obj.size() > lim.max_keys) { *error = "more than " + std::to_string(lim.max_keys) + " state keys"; return false; }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const std::string& key = it.key();
        if (!valid_state_key(key)) { *error = "state key '" + shown_key(key) + "' is not allowed (use a-z 0-9 _ . -, up to 32)"; return false; }
        std::string value;
        if (!value_text(it.value(), &value)) { *error = "state key '" + key + "' needs a string, number or boolean value"; return false; }
        if (!valid_state_value(value)) { *error = "bad value for state key '" + key + "' (UTF-8, no control characters, up to " + std::to_string(lim.max_value) + " bytes)"; return false; }
        if (value.empty()) { if (merge) m->erase.push_back(key); }
        else m->patch.set(key, value);
    }
    return true;
}

bool parse_host_message(std::string_view text, HostMessage* out, std::string* error,
                        const HostMessageLimits& limits) {
    std::string scratch;
    if (!error) error = &scratch;
    error->clear();
    // Oversized or deep texts are answered only when they mention factlab:
    // other scripts on a host page post messages too, and those are not ours.
    bool mentions = text.substr(0, limits.max_bytes).find("factlab:") != std::string_view::npos;
    // A facts message carries a whole CSV: it may be longer than the others.
    size_t max_bytes = limits.max_bytes;
    if (text.size() > max_bytes) {
        const std::string type = shallow_value(text, "\"type\"", 32);
        mentions = mentions || type.compare(0, 9, "\"factlab:") == 0;
        if (type == "\"factlab:facts\"" && text.size() <= limits.max_facts_bytes) max_bytes = limits.max_facts_bytes;
    }
    if (text.size() > max_bytes) {
        if (mentions) {
            *error = "message is longer than " + std::to_string(max_bytes) + " bytes";
            if (out) out->id = shallow_id(text, limits.max_id);
        }
        return false;
    }
    if (!depth_ok(text, limits.max_depth)) {
        if (mentions) {
            *error = "message is nested too deeply (at most " + std::to_string(limits.max_depth) + " levels)";
            if (out) out->id = shallow_id(text, limits.max_id);
        }
        return false;
    }
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        // Not JSON or not an object: other scripts post such messages too. It is
        // ours only if it mentions factlab at all; then say what is wrong.
        if (mentions) *error = "message is not valid JSON or not an object";
        return false;
    }
    auto t = j.find("type");
    if (t == j.end() || !t->is_string()) return false;
    const std::string& type = t->get_ref<const std::string&>();
    if (type.compare(0, 8, "factlab:") != 0) return false;
    // Types factlab itself sends: ignore them, so two frames never ping-pong.
    if (type == "factlab:state" || type == "factlab:ready" || type == "factlab:error") return false;

    HostMessage m;
    auto id = j.find("id");
    if (id != j.end()) {
        if (id->is_string() && id->get_ref<const std::string&>().size() <= limits.max_id) m.id = dump(*id);
        else if (id->is_number_integer() || id->is_number_unsigned()) m.id = dump(*id);
        else { *error = "id must be a string of up to " + std::to_string(limits.max_id) + " bytes or an integer"; return false; }
    }
    if (type == "factlab:get") {
        m.type = HostMessageType::Get;
    } else if (type == "factlab:tour") {
        m.type = HostMessageType::Tour;
        auto s = j.find("step");
        double step = -1;
        if (s != j.end() && s->is_number()) step = s->get<double>();
        if (!std::isfinite(step) || step < 0 || step > limits.max_tour_step || step != std::floor(step)) {
            *error = "factlab:tour needs an integer step from 0 (close) to " + std::to_string(limits.max_tour_step);
            if (out) out->id = m.id;
            return false;
        }
        m.tour_step = int(step);
    } else if (type == "factlab:set" || type == "factlab:replace") {
        bool merge = type == "factlab:set";
        m.type = merge ? HostMessageType::Set : HostMessageType::Replace;
        auto s = j.find("state");
        bool ok;
        if (s == j.end()) { *error = type + " needs a state (object or \"k=v&...\" text)"; ok = false; }
        else if (s->is_string()) ok = patch_from_query(s->get_ref<const std::string&>(), &m, merge, error);
        else if (s->is_object()) ok = patch_from_object(*s, &m, merge, error);
        else { *error = "state must be an object or a \"k=v&...\" text"; ok = false; }
        if (!ok) { if (out) out->id = m.id; return false; }
    } else if (type == "factlab:facts") {
        m.type = HostMessageType::Facts;
        auto c = j.find("csv");
        auto n = j.find("name");
        if (c == j.end() || !c->is_string()) *error = "factlab:facts needs \"csv\": the text of a facts CSV (subject,relation,object)";
        else if (n != j.end() && !(n->is_string() && valid_state_value(n->get_ref<const std::string&>(), {}) &&
                                   n->get_ref<const std::string&>().size() <= limits.max_name))
            *error = "factlab:facts \"name\" must be a short text (up to " + std::to_string(limits.max_name) + " bytes)";
        if (!error->empty()) { if (out) out->id = m.id; return false; }
        m.csv = c->get_ref<const std::string&>();
        m.name = n != j.end() ? n->get_ref<const std::string&>() : std::string("facts from the host page");
        if (m.name.empty()) m.name = "facts from the host page";
    } else {
        *error = "unknown message type (factlab understands factlab:set, factlab:replace, factlab:tour, factlab:get, "
                 "factlab:facts)";
        if (out) out->id = m.id;
        return false;
    }
    if (out) *out = std::move(m);
    return true;
}

void apply_host_message(State* s, const HostMessage& m) {
    if (m.type == HostMessageType::Set) {
        for (const std::string& k : m.erase) s->erase(k);
        for (const auto& [k, v] : m.patch.items()) s->set(k, v);
    } else if (m.type == HostMessageType::Replace) {
        replace_keep_page_keys(s, m.patch);
    }
}

static json with_id(json j, const std::string& id) {
    if (!id.empty()) {
        json v = json::parse(id, nullptr, false);
        if (!v.is_discarded()) j["id"] = v;
    }
    return j;
}

std::string host_state_reply(const State& s, const std::string& id, const std::string& view) {
    return dump(with_id({{"type", "factlab:state"}, {"state", share_query(s)}, {"view", view.empty() ? s.get("view", "") : view}}, id));
}

std::string host_error_reply(const std::string& error, const std::string& id) {
    return dump(with_id({{"type", "factlab:error"}, {"error", error}}, id));
}

std::string host_error_reply(const std::string& error, const std::string& id, const std::vector<HostErrorLine>& lines) {
    json errs = json::array();
    for (const HostErrorLine& e : lines) errs.push_back({{"line", e.line}, {"reason", e.reason}});
    return dump(with_id({{"type", "factlab:error"}, {"error", error}, {"errors", errs}}, id));
}

std::string host_ready_message(const State& s, const std::string& view) {
    return dump({{"type", "factlab:ready"}, {"version", 1}, {"state", share_query(s)}, {"view", view.empty() ? s.get("view", "") : view},
                 {"embed", s.get_bool("embed", false)}});
}

}  // namespace factlab
