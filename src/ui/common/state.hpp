// state.hpp: the lab's shareable state, the one source of truth for everything a
// link can restore (view, subject, sizes, seed, loss, sliders).
//
// It is a small map of key -> text value, read by the panels through typed,
// bounded getters, so a hostile or stale link can never put an out-of-range
// number into the model: values are clamped where they are used. It serialises
// to the URL hash and back. Pure C++ on purpose: fuzzed and tested without a window.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>
#include "core/facts.hpp"   // valid_utf8

namespace factlab {

class State {
public:
    // Typed getters: absent, malformed, NaN or out-of-range values give the
    // fallback (malformed) or the clamped value (out of range).
    std::string get(const std::string& key, const std::string& fallback = "") const;
    long long get_int(const std::string& key, long long fallback, long long lo, long long hi) const;
    double get_float(const std::string& key, double fallback, double lo, double hi) const;
    bool get_bool(const std::string& key, bool fallback) const;
    bool has(const std::string& key) const { return kv_.count(key) != 0; }

    // Setters bump version() when the value really changes; an empty value erases.
    // Keys and values that could not round-trip through a URL are refused (false).
    bool set(const std::string& key, const std::string& value);
    bool set_int(const std::string& key, long long v);
    bool set_float(const std::string& key, double v);   // shortest text that round-trips to float
    bool set_bool(const std::string& key, bool v);
    void erase(const std::string& key);
    void clear();

    const std::map<std::string, std::string>& items() const { return kv_; }
    unsigned version() const { return version_; }

    // "k=v&k2=v2", keys sorted, values percent-encoded.
    std::string to_query() const;

private:
    std::map<std::string, std::string> kv_;
    unsigned version_ = 0;
};

struct StateLimits {
    // The state's size: sum over pairs of key + value + 2 ("=" and "&"), decoded.
    // A link may be up to 3x that (every byte percent-encoded), so whatever a
    // link holds re-encodes to a link that is read back: it never outgrows us.
    size_t max_text = 4096;
    size_t max_keys = 64;
    size_t max_key = 32;          // [a-z0-9_.-]
    size_t max_value = 256;       // bytes, after percent-decoding; valid UTF-8, no control chars
};

// Parses "#k=v&k2=v2" or "?k=v" (leading '#'/'?' optional, '+' is a space).
// Bad pairs are skipped with a warning; the result never holds an invalid key
// or value. Returns false (and leaves *out untouched) only when the whole text
// is unusable: longer than 3 * max_text, or holding more than max_text decoded.
bool parse_query(std::string_view text, State* out, std::vector<std::string>* warnings,
                 const StateLimits& limits = {});

// The decoded size StateLimits::max_text bounds.
size_t state_size(const State& s);

bool valid_state_key(std::string_view key, const StateLimits& limits = {});
bool valid_state_value(std::string_view value, const StateLimits& limits = {});
std::string percent_encode(std::string_view s);
// Decodes %XX and '+'; false on a malformed escape.
bool percent_decode(std::string_view s, std::string* out);

}  // namespace factlab
