// state.cpp: see state.hpp. Everything here treats its input as hostile.
#include "ui/common/state.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace factlab {

bool valid_state_key(std::string_view key, const StateLimits& limits) {
    if (key.empty() || key.size() > limits.max_key) return false;
    for (char c : key)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return false;
    return true;
}

bool valid_state_value(std::string_view value, const StateLimits& limits) {
    if (value.size() > limits.max_value || !valid_utf8(value)) return false;
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        // Unreserved characters, and the sub-delimiters a URL fragment or query
        // may hold as they are (RFC 3986) except our separators & = + # %: a link
        // then never grows when it is read and written again.
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~' || c == '!' || c == '$' || c == '\'' ||
                     c == '(' || c == ')' || c == '*' || c == ',' || c == ';' || c == ':' || c == '@' ||
                     c == '/' || c == '?';
        if (plain) out += char(c);
        else { out += '%'; out += hex[c >> 4]; out += hex[c & 15]; }
    }
    return out;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool percent_decode(std::string_view s, std::string* out) {
    out->clear();
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') { *out += ' '; continue; }
        if (c != '%') { *out += c; continue; }
        if (i + 2 >= s.size()) return false;
        int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
        if (hi < 0 || lo < 0) return false;
        *out += char(hi * 16 + lo);
        i += 2;
    }
    return true;
}

bool parse_query(std::string_view text, State* out, std::vector<std::string>* warnings,
                 const StateLimits& limits) {
    auto warn = [&](std::string w) { if (warnings && warnings->size() < 20) warnings->push_back(std::move(w)); };
    if (!text.empty() && (text[0] == '#' || text[0] == '?')) text.remove_prefix(1);
    const std::string too_long = "This link was ignored: its state is too long (over " + std::to_string(limits.max_text) +
                                 " bytes). The page kept what it showed.";
    if (text.size() > 3 * limits.max_text) { warn(too_long); return false; }
    State s;
    size_t count = 0, size = 0;
    while (!text.empty()) {
        size_t amp = text.find('&');
        std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string key, value;
        bool ok = percent_decode(pair.substr(0, eq), &key) &&
                  (eq == std::string_view::npos || percent_decode(pair.substr(eq + 1), &value));
        std::string shown(pair.substr(0, 40));
        if (!ok || !valid_state_key(key, limits)) { warn("ignored malformed link part '" + percent_encode(shown) + "'"); continue; }
        if (eq == std::string_view::npos) value = "1";       // "&embed" means embed=1
        if (!valid_state_value(value, limits)) { warn("ignored bad value for '" + key + "'"); continue; }
        if (++count > limits.max_keys) { warn("too many link parts; the rest ignored"); break; }
        size += key.size() + value.size() + 2;
        if (size > limits.max_text) { warn(too_long); return false; }
        s.set(key, value);
    }
    if (out) *out = std::move(s);
    return true;
}

std::string State::get(const std::string& key, const std::string& fallback) const {
    auto it = kv_.find(key);
    return it == kv_.end() ? fallback : it->second;
}

long long State::get_int(const std::string& key, long long fallback, long long lo, long long hi) const {
    auto it = kv_.find(key);
    if (it == kv_.end()) return fallback;
    const char* s = it->second.c_str();
    char* end = nullptr;
    double x = std::strtod(s, &end);         // accepts "1e3"; NaN/Inf rejected below
    if (end == s || *end != '\0' || !std::isfinite(x)) return fallback;
    if (x < double(lo)) return lo;
    if (x > double(hi)) return hi;
    return (long long)std::llround(x);
}

double State::get_float(const std::string& key, double fallback, double lo, double hi) const {
    auto it = kv_.find(key);
    if (it == kv_.end()) return fallback;
    const char* s = it->second.c_str();
    char* end = nullptr;
    double x = std::strtod(s, &end);
    if (end == s || *end != '\0' || !std::isfinite(x)) return fallback;
    return x < lo ? lo : x > hi ? hi : x;
}

bool State::get_bool(const std::string& key, bool fallback) const {
    auto it = kv_.find(key);
    if (it == kv_.end()) return fallback;
    const std::string& v = it->second;
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off") return false;
    return fallback;
}

bool State::set(const std::string& key, const std::string& value) {
    if (!valid_state_key(key)) return false;
    if (value.empty()) { erase(key); return true; }
    if (!valid_state_value(value)) return false;
    auto it = kv_.find(key);
    if (it != kv_.end() && it->second == value) return true;
    kv_[key] = value;
    ++version_;
    return true;
}

bool State::set_int(const std::string& key, long long v) { return set(key, std::to_string(v)); }

bool State::set_float(const std::string& key, double v) {
    if (!std::isfinite(v)) return false;
    char buf[32];
    for (int prec = 3; prec <= 9; ++prec) {        // shortest text that reads back as the same float
        std::snprintf(buf, sizeof buf, "%.*g", prec, double(float(v)));   // the float, not v: no double rounding
        if (float(std::strtod(buf, nullptr)) == float(v)) break;
    }
    return set(key, buf);
}

bool State::set_bool(const std::string& key, bool v) { return set(key, v ? "1" : "0"); }

void State::erase(const std::string& key) {
    if (kv_.erase(key)) ++version_;
}

void State::clear() {
    if (!kv_.empty()) { kv_.clear(); ++version_; }
}

size_t state_size(const State& s) {
    size_t n = 0;
    for (const auto& [k, v] : s.items()) n += k.size() + v.size() + 2;
    return n;
}

std::string State::to_query() const {
    std::string out;
    for (const auto& [k, v] : kv_) {
        if (!out.empty()) out += '&';
        out += k;
        out += '=';
        out += percent_encode(v);
    }
    return out;
}

}  // namespace factlab
