// snapshot.cpp: see snapshot.hpp.
#include "core/superpose/snapshot.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace factlab {

static void put(std::string* out, double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.9g", x);
    *out += buf;
}

static void put_stats(std::string* out, const char* which, const SuperposeStats& s) {
    *out += std::string("stats ") + which;
    for (double x : {double(s.step), s.loss, s.min_angle_deg, s.max_angle_deg, s.worst_abs_cos, s.within1, s.within5,
                     s.welch, s.levenshtein, s.limit_angle_deg, s.random_angle_std_deg, s.random_worst_abs_cos})
        put(out, x);
    *out += "\n";
    for (const auto* h : {&s.hist_zoom, &s.hist_full}) {
        *out += std::string(h == &s.hist_zoom ? "zoom " : "full ") + which + " " + std::to_string(h->size());
        for (uint64_t v : *h) *out += " " + std::to_string(v);
        *out += "\n";
    }
}

std::string snapshot_key(const SuperposeConfig& c) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%d/%d/%s/%g/%d/%llu", c.n, c.d, superpose_loss_name(c.loss), double(c.lr), c.steps,
                  (unsigned long long)c.seed);
    return buf;
}

std::string snapshot_encode(const SuperposeSnapshot& s) {
    std::string out = "factlab-superpose-snapshot 1\n";
    const SuperposeConfig& c = s.config;
    out += "config " + std::to_string(c.n) + " " + std::to_string(c.d) + " " + superpose_loss_name(c.loss);
    put(&out, c.lr);
    out += " " + std::to_string(c.steps) + " " + std::to_string((unsigned long long)c.seed) + "\n";
    out += "command " + s.command + "\n";
    out += "run";
    put(&out, s.seconds);
    out += " " + std::to_string(s.threads) + "\n";
    put_stats(&out, "first", s.first);
    put_stats(&out, "last", s.last);
    out += "worst " + std::to_string(s.worst.size());
    for (const auto& w : s.worst) { out += " " + std::to_string(w.first); put(&out, w.second); }
    out += "\nloss " + std::to_string(s.loss.size());
    for (float v : s.loss) put(&out, v);
    out += "\n";
    return out;
}

bool snapshot_decode(const std::string& text, SuperposeSnapshot* out, std::string* err) {
    auto fail = [&](const std::string& why) { if (err) *err = "superposition snapshot: " + why; return false; };
    if (text.size() > (1u << 20)) return fail("longer than 1 MB");
    std::istringstream in(text);
    std::string line, magic;
    if (!std::getline(in, line) || line != "factlab-superpose-snapshot 1") return fail("not a snapshot (first line)");
    SuperposeSnapshot s;
    bool got_config = false, got_first = false, got_last = false;
    const size_t kMaxList = 100000;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string name;
        ls >> name;
        if (name.empty()) continue;
        if (name == "command") { s.command = line.size() > 8 ? line.substr(8, 400) : ""; continue; }
        if (name == "config") {
            std::string loss;
            double lr = 0;
            long long n = 0, d = 0, steps = 0, seed = 0;
            if (!(ls >> n >> d >> loss >> lr >> steps >> seed) || n < 2 || n > 200000 || d < 2 || d > 4096 ||
                steps < 0 || steps > 10000000 || !(lr > 0) || !std::isfinite(lr) || seed < 0 ||
                !parse_superpose_loss(loss, &s.config.loss))
                return fail("bad config line");
            s.config.n = int(n); s.config.d = int(d); s.config.lr = float(lr); s.config.steps = int(steps);
            s.config.seed = uint64_t(seed);
            got_config = true;
        } else if (name == "run") {
            if (!(ls >> s.seconds >> s.threads)) return fail("bad run line");
        } else if (name == "stats") {
            std::string which;
            ls >> which;
            SuperposeStats* st = which == "first" ? &s.first : which == "last" ? &s.last : nullptr;
            if (!st) return fail("stats for '" + which + "'");
            double v[12];
            for (double& x : v) {       // strtod: the Levenshtein limit may be "nan" (not applicable)
                std::string t;
                char* end = nullptr;
                if (!(ls >> t) || (x = std::strtod(t.c_str(), &end), end == t.c_str() || *end)) return fail("short stats line");
            }
            st->step = int(v[0]); st->loss = v[1]; st->min_angle_deg = v[2]; st->max_angle_deg = v[3];
            st->worst_abs_cos = v[4]; st->within1 = v[5]; st->within5 = v[6]; st->welch = v[7];
            st->levenshtein = v[8]; st->limit_angle_deg = v[9]; st->random_angle_std_deg = v[10];
            st->random_worst_abs_cos = v[11];
            st->worst_angle_deg = 90.0 - std::asin(std::fmin(1.0, std::fabs(v[4]))) * 180.0 / 3.14159265358979323846;
            (which == "first" ? got_first : got_last) = true;
        } else if (name == "zoom" || name == "full") {
            std::string which;
            size_t count = 0;
            ls >> which >> count;
            SuperposeStats* st = which == "first" ? &s.first : which == "last" ? &s.last : nullptr;
            if (!st || count > 4000) return fail("bad histogram line");
            std::vector<uint64_t>& h = name == "zoom" ? st->hist_zoom : st->hist_full;
            h.resize(count);
            for (uint64_t& x : h)
                if (!(ls >> x)) return fail("short histogram");
        } else if (name == "worst") {
            size_t count = 0;
            if (!(ls >> count) || count > kMaxList) return fail("bad worst line");
            s.worst.resize(count);
            for (auto& w : s.worst)
                if (!(ls >> w.first >> w.second) || !std::isfinite(w.second)) return fail("short worst line");
        } else if (name == "loss") {
            size_t count = 0;
            if (!(ls >> count) || count > kMaxList) return fail("bad loss line");
            s.loss.resize(count);
            for (float& x : s.loss)
                if (!(ls >> x)) return fail("short loss line");
        } else {
            return fail("unknown line '" + name.substr(0, 20) + "'");
        }
    }
    if (!got_config || !got_first || !got_last) return fail("config or stats missing");
    s.first.n = s.last.n = s.config.n;
    s.first.d = s.last.d = s.config.d;
    *out = std::move(s);
    return true;
}

}  // namespace factlab
