// snapshot.cpp: see snapshot.hpp.
#include "core/superpose/snapshot.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

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

// Whitespace-separated words of one line (no iostreams: they would cost the page ~100 KB).
struct Words {
    const char* p;
    const char* end;
    bool word(std::string* out) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
        const char* b = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r') ++p;
        out->assign(b, p);
        return p > b;
    }
    bool num(double* x) {
        std::string w;
        if (!word(&w)) return false;
        char* e = nullptr;
        *x = std::strtod(w.c_str(), &e);   // "nan" for a limit that does not apply
        return e != w.c_str() && *e == '\0';
    }
    bool count(size_t* n, size_t max) {
        double x = 0;
        if (!num(&x) || !(x >= 0) || x > double(max) || x != std::floor(x)) return false;
        *n = size_t(x);
        return true;
    }
};

bool snapshot_decode(const std::string& text, SuperposeSnapshot* out, std::string* err) {
    auto fail = [&](const std::string& why) { if (err) *err = "superposition snapshot: " + why; return false; };
    if (text.size() > (1u << 20)) return fail("longer than 1 MB");
    SuperposeSnapshot s;
    bool got_config = false, got_first = false, got_last = false, magic = false;
    const size_t kMaxList = 100000;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        Words ls{line.data(), line.data() + line.size()};
        std::string name;
        if (!magic) {
            if (line != "factlab-superpose-snapshot 1") return fail("not a snapshot (first line)");
            magic = true;
            continue;
        }
        if (!ls.word(&name)) continue;
        if (name == "command") { s.command = line.size() > 8 ? line.substr(8, 400) : ""; continue; }
        if (name == "config") {
            std::string loss;
            double n = 0, d = 0, lr = 0, steps = 0, seed = 0;
            if (!ls.num(&n) || !ls.num(&d) || !ls.word(&loss) || !ls.num(&lr) || !ls.num(&steps) || !ls.num(&seed) ||
                !(n >= 2 && n <= 200000) || !(d >= 2 && d <= 4096) || !(steps >= 0 && steps <= 10000000) ||
                !(lr > 0 && lr < 10) || !(seed >= 0 && seed < 9e15) || !parse_superpose_loss(loss, &s.config.loss))
                return fail("bad config line");
            s.config.n = int(n); s.config.d = int(d); s.config.lr = float(lr); s.config.steps = int(steps);
            s.config.seed = uint64_t(seed);
            got_config = true;
        } else if (name == "run") {
            double th = 1;
            if (!ls.num(&s.seconds) || !ls.num(&th) || !(th >= 1 && th <= 1024)) return fail("bad run line");
            s.threads = int(th);
        } else if (name == "stats") {
            std::string which;
            ls.word(&which);
            SuperposeStats* st = which == "first" ? &s.first : which == "last" ? &s.last : nullptr;
            if (!st) return fail("stats for '" + which.substr(0, 20) + "'");
            double v[12];
            for (double& x : v)
                if (!ls.num(&x)) return fail("short stats line");
            if (!(v[0] >= 0 && v[0] <= 1e7) || !(std::fabs(v[4]) <= 1)) return fail("bad stats line");
            st->step = int(v[0]); st->loss = v[1]; st->min_angle_deg = v[2]; st->max_angle_deg = v[3];
            st->worst_abs_cos = v[4]; st->within1 = v[5]; st->within5 = v[6]; st->welch = v[7];
            st->levenshtein = v[8]; st->limit_angle_deg = v[9]; st->random_angle_std_deg = v[10];
            st->random_worst_abs_cos = v[11];
            st->worst_angle_deg = 90.0 - std::asin(std::fabs(v[4])) * 180.0 / 3.14159265358979323846;
            (which == "first" ? got_first : got_last) = true;
        } else if (name == "zoom" || name == "full") {
            std::string which;
            size_t count = 0;
            ls.word(&which);
            SuperposeStats* st = which == "first" ? &s.first : which == "last" ? &s.last : nullptr;
            if (!st || !ls.count(&count, 4000)) return fail("bad histogram line");
            std::vector<uint64_t>& h = name == "zoom" ? st->hist_zoom : st->hist_full;
            h.resize(count);
            for (uint64_t& x : h) {
                double v = 0;
                if (!ls.num(&v) || !(v >= 0 && v < 1.8e19)) return fail("short histogram");
                x = uint64_t(v);
            }
        } else if (name == "worst") {
            size_t count = 0;
            if (!ls.count(&count, kMaxList)) return fail("bad worst line");
            s.worst.resize(count);
            for (auto& w : s.worst) {
                double step = 0;
                if (!ls.num(&step) || !ls.num(&w.second) || !std::isfinite(w.second) || !(step >= 0 && step <= 1e7))
                    return fail("short worst line");
                w.first = int(step);
            }
        } else if (name == "loss") {
            size_t count = 0;
            if (!ls.count(&count, kMaxList)) return fail("bad loss line");
            s.loss.resize(count);
            for (float& x : s.loss) {
                double v = 0;
                if (!ls.num(&v)) return fail("short loss line");
                x = float(v);
            }
        } else {
            return fail("unknown line '" + name.substr(0, 20) + "'");
        }
    }
    if (!magic) return fail("not a snapshot (first line)");
    if (!got_config || !got_first || !got_last) return fail("config or stats missing");
    s.first.n = s.last.n = s.config.n;
    s.first.d = s.last.d = s.config.d;
    *out = std::move(s);
    return true;
}

}  // namespace factlab
