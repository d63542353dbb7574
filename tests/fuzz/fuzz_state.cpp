// fuzz_state.cpp: libFuzzer target for the URL/hash state (src/ui/state.hpp).
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
//   - parse_query never keeps an invalid key or value, nor more than max_keys;
//   - the typed getters stay in their bounds (or give the fallback), never NaN;
//   - round trip: to_query() of the parsed state parses back to the same map
//     and serialises to the same text (when it fits the hash limit);
//   - setters: set_float/set_int/set_bool values read back through the getters.
// The first input byte picks a mode so one target covers parsing and setters.
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>
#include "ui/common/state.hpp"
#include "ui/common/state_figure.hpp"

using namespace factlab;

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "fuzz_state: property failed: %s\n  ", #cond);          \
            std::fprintf(stderr, __VA_ARGS__);                                           \
            std::fprintf(stderr, "\n");                                                  \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

static void check_state(const State& s, const StateLimits& L) {
    for (const auto& [k, v] : s.items()) {
        FUZZ_CHECK(valid_state_key(k, L), "invalid key kept: '%s'", k.c_str());
        FUZZ_CHECK(valid_state_value(v, L), "invalid value kept for '%s'", k.c_str());
        FUZZ_CHECK(!v.empty(), "empty value kept for '%s'", k.c_str());
    }
    // The figure keys (bg, text): bounded size, a CSS background that is "", "transparent" or #rrggbb.
    std::vector<std::string> w;
    FigureParams f = figure_params(s, &w);
    FUZZ_CHECK(f.text_px >= kFigureTextMin && f.text_px <= kFigureTextMax, "text size %d", f.text_px);
    std::string bg = f.css_background();
    FUZZ_CHECK(bg.empty() || bg == "transparent" || (bg.size() == 7 && bg[0] == '#' &&
               bg.find_first_not_of("0123456789abcdef", 1) == std::string::npos), "background '%s'", bg.c_str());
    for (const std::string& m : w) FUZZ_CHECK(m.find_first_of("<>\"&") == std::string::npos, "message quotes markup: %s", m.c_str());
}

static void check_getters(const State& s) {
    for (const auto& [k, v] : s.items()) {
        long long i = s.get_int(k, -7, -1000, 1000);
        FUZZ_CHECK(i == -7 || (i >= -1000 && i <= 1000), "get_int out of bounds: %lld for '%s'", i, v.c_str());
        long long big = s.get_int(k, 0, 0, 1000000000);
        FUZZ_CHECK(big >= 0 && big <= 1000000000, "get_int out of bounds: %lld", big);
        double f = s.get_float(k, 0.5, -2.0, 3.0);
        FUZZ_CHECK(std::isfinite(f) && f >= -2.0 && f <= 3.0, "get_float out of bounds: %g for '%s'", f, v.c_str());
        double tiny = s.get_float(k, 1e-3, 1e-6, 1.0);
        FUZZ_CHECK(std::isfinite(tiny) && tiny >= 1e-6 && tiny <= 1.0, "get_float out of bounds: %g", tiny);
        (void)s.get_bool(k, false);
        FUZZ_CHECK(s.get(k) == v, "get disagrees with items()");
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const StateLimits L;
    const uint8_t mode = data[0];
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    if (mode & 1) {
        // Setters: the text is "key\0value"; the value is also tried as a number.
        size_t z = text.find('\0');
        std::string key(text.substr(0, z));
        std::string value(z == std::string_view::npos ? std::string_view() : text.substr(z + 1));
        State s;
        bool ok = s.set(key, value);
        FUZZ_CHECK(ok == (valid_state_key(key) && (value.empty() || valid_state_value(value))),
                   "set() accepted/refused wrongly: key '%s'", key.c_str());
        check_state(s, L);
        if (ok && !value.empty()) FUZZ_CHECK(s.get(key) == value, "set() then get() differ");
        if (valid_state_key(key)) {
            double x = 0;
            if (value.size() >= sizeof(double)) std::memcpy(&x, value.data(), sizeof(double));
            State t;
            bool fok = t.set_float(key, x);
            FUZZ_CHECK(fok == std::isfinite(x), "set_float(%g) returned %d", x, int(fok));
            // Doubles past the float range are out of contract (set_float stores floats).
            if (fok && std::fabs(x) <= double(FLT_MAX)) {
                double back = t.get_float(key, 12345.0, -HUGE_VAL, HUGE_VAL);
                FUZZ_CHECK(float(back) == float(x),
                           "set_float(%.17g) reads back %.17g (text '%s')", x, back, t.get(key).c_str());
            }
            long long n = 0;
            if (value.size() >= sizeof(long long)) std::memcpy(&n, value.data(), sizeof(long long));
            n %= 1000000000000LL;
            FUZZ_CHECK(t.set_int(key, n), "set_int refused");
            FUZZ_CHECK(t.get_int(key, 0, -1000000000000LL, 1000000000000LL) == n, "set_int(%lld) reads back %lld", n,
                       t.get_int(key, 0, -1000000000000LL, 1000000000000LL));
            FUZZ_CHECK(t.set_bool(key, mode & 2) && t.get_bool(key, !(mode & 2)) == bool(mode & 2), "set_bool");
            check_state(t, L);
        }
        return 0;
    }

    State s;
    std::vector<std::string> warnings;
    unsigned v0 = s.version();
    bool ok = parse_query(text, &s, &warnings, L);
    FUZZ_CHECK(warnings.size() <= 20, "%zu warnings", warnings.size());
    for (const std::string& w : warnings) FUZZ_CHECK(valid_utf8(w), "a warning is not valid UTF-8 (it is shown on screen)");
    if (!ok) {
        FUZZ_CHECK(text.size() > L.max_text, "parse_query refused a text of %zu bytes", text.size());
        FUZZ_CHECK(s.items().empty() && s.version() == v0, "a refused parse changed the state");
        return 0;
    }
    FUZZ_CHECK(s.items().size() <= L.max_keys, "%zu keys kept", s.items().size());
    check_state(s, L);
    check_getters(s);

    std::string q = s.to_query();
    FUZZ_CHECK(state_size(s) <= L.max_text, "kept %zu bytes of state", state_size(s));
    State again;
    std::vector<std::string> w2;
    FUZZ_CHECK(parse_query(q, &again, &w2, L), "to_query() output refused");
    FUZZ_CHECK(w2.empty(), "to_query() output gives warnings: %s", w2.empty() ? "" : w2[0].c_str());
    FUZZ_CHECK(again.items() == s.items(), "round trip changed the state: '%s'", q.c_str());
    FUZZ_CHECK(again.to_query() == q, "to_query() is not stable");
    // The same with a leading '#' and '?', as the page passes location.hash/search.
    State h;
    FUZZ_CHECK(parse_query("#" + q, &h, nullptr, L) && h.items() == s.items(), "'#' prefix changes the result");
    return 0;
}
