// jobs_capacity.cpp: see jobs_capacity.hpp.
#include "core/jobs_capacity.hpp"

#include "core/jobs_block.hpp"

#include <chrono>

namespace factlab {

using jobs::ByteReader;
using jobs::ByteWriter;

namespace {
constexpr uint32_t kMaxSizes = 64, kMaxRuns = 100000;

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void put_point(ByteWriter* w, const CapacityPoint& p) {
    w->put(int32_t(p.d)); w->put(int32_t(p.hidden)); w->put(int32_t(p.subjects)); w->put(int32_t(p.facts));
    w->put(p.accuracy); w->put(p.bits); w->put(int64_t(p.params)); w->put(p.bits_per_param);
    w->put(int32_t(p.steps)); w->put(p.seconds); w->put(uint8_t(p.stored));
}
void get_point(ByteReader* r, CapacityPoint* p) {
    int32_t v[5] = {};
    int64_t params = 0;
    uint8_t stored = 0;
    r->get(&v[0]); r->get(&v[1]); r->get(&v[2]); r->get(&v[3]);
    r->get(&p->accuracy); r->get(&p->bits); r->get(&params); r->get(&p->bits_per_param);
    r->get(&v[4]); r->get(&p->seconds); r->get(&stored);
    p->d = v[0]; p->hidden = v[1]; p->subjects = v[2]; p->facts = v[3]; p->params = params; p->steps = v[4];
    p->stored = stored != 0;
}
}  // namespace

CapacitySnapshot capacity_snapshot_of(const CapacitySweep& s) {
    CapacitySnapshot out;
    out.results = s.results();
    out.progress = s.progress();
    out.status = s.status();
    out.seconds = s.seconds();
    out.done = s.done();
    out.error = s.error();
    return out;
}

bool CapacityJob::start_from(const std::string& bytes, std::string* err) {
    CapacityConfig cfg;
    return decode_capacity_job(bytes, &cfg, err) && start(cfg, err);
}

bool CapacityJob::run_chunk(double ms) {
    const double t0 = now_ms();
    while (sweep_.step() && now_ms() - t0 < ms) {}
    return !sweep_.done();
}

std::string encode_capacity_job(const CapacityConfig& c) {
    ByteWriter w;
    w.put(jobs::kJobStart);
    w.put(uint32_t(jobs::JobKind::capacity));
    w.put(uint32_t(c.sizes.size()));
    for (const auto& s : c.sizes) { w.put(int32_t(s.first)); w.put(int32_t(s.second)); }
    w.put(int32_t(c.relations)); w.put(int32_t(c.candidates)); w.put(c.target); w.put(int32_t(c.max_runs));
    w.put(c.resolution); w.put(c.work); w.put(int32_t(c.max_subjects)); w.put(uint8_t(c.compare_compiled));
    w.put(c.seed);
    put_train_config(&w, c.train);
    return std::move(w.s);
}

bool decode_capacity_job(const std::string& bytes, CapacityConfig* out, std::string* err) {
    auto bad = [&](const char* m) { *err = std::string("capacity job: ") + m; return false; };
    ByteReader r(bytes);
    uint32_t magic = 0, kind = 0, n = 0;
    r.get(&magic); r.get(&kind); r.get(&n);
    if (!r.ok || magic != jobs::kJobStart || kind != uint32_t(jobs::JobKind::capacity)) return bad("not a capacity job");
    if (n > kMaxSizes) return bad("too many sizes");
    CapacityConfig c;
    c.sizes.resize(n);
    for (auto& s : c.sizes) {
        int32_t d = 0, h = 0;
        r.get(&d); r.get(&h);
        s = {d, h};
    }
    int32_t rel = 0, cand = 0, runs = 0, maxs = 0;
    uint8_t cmp = 0;
    r.get(&rel); r.get(&cand); r.get(&c.target); r.get(&runs);
    r.get(&c.resolution); r.get(&c.work); r.get(&maxs); r.get(&cmp); r.get(&c.seed);
    if (!get_train_config(&r, &c.train) || !r.done()) return bad("wrong length or an unknown activation or schedule");
    c.relations = rel; c.candidates = cand; c.max_runs = runs; c.max_subjects = maxs; c.compare_compiled = cmp != 0;
    std::string why;
    if (!validate_capacity_config(c, &why)) { *err = "capacity job: " + why; return false; }
    *out = std::move(c);
    return true;
}

std::string CapacityJob::snapshot(uint32_t chunk, bool) const {
    const CapacitySnapshot s = capacity_snapshot_of(sweep_);
    ByteWriter w;
    w.put(jobs::kJobSnapshot);
    w.put(uint32_t(jobs::JobKind::capacity));
    w.put(chunk);
    w.put(s.progress); w.put(s.seconds); w.put(uint8_t(s.done));
    w.put_str(s.status); w.put_str(s.error);
    w.put(uint32_t(s.results.size()));
    for (const CapacityResult& r : s.results) {
        w.put(int32_t(r.d)); w.put(int32_t(r.hidden)); w.put(int64_t(r.params));
        w.put(uint32_t(r.runs.size()));
        for (const CapacityPoint& p : r.runs) put_point(&w, p);
        w.put(int32_t(r.best_facts)); w.put(int32_t(r.best_subjects)); w.put(r.best_accuracy); w.put(r.best_bits);
        w.put(r.bits_per_param); w.put(int64_t(r.compiled_params)); w.put(r.compiled_bits_per_param);
        w.put(r.compiled_accuracy); w.put(uint8_t(r.finished));
    }
    return std::move(w.s);
}

bool decode_capacity_snapshot(const std::string& bytes, CapacitySnapshot* out, std::string* err) {
    auto bad = [&](const char* m) { *err = std::string("capacity snapshot: ") + m; return false; };
    ByteReader r(bytes);
    uint32_t chunk = 0, n = 0;
    if (!jobs::get_head(&r, jobs::kJobSnapshot, jobs::JobKind::capacity) || !r.get(&chunk)) return bad("not a capacity snapshot");
    CapacitySnapshot s;
    uint8_t done = 0;
    r.get(&s.progress); r.get(&s.seconds); r.get(&done);
    r.get_str(&s.status, 1000); r.get_str(&s.error, 1000);
    r.get(&n);
    if (!r.ok || n > kMaxSizes) return bad("too short or too many sizes");
    s.done = done != 0;
    s.results.resize(n);
    for (CapacityResult& c : s.results) {
        int32_t d = 0, h = 0, bf = 0, bs = 0;
        int64_t params = 0, cparams = 0;
        uint32_t runs = 0;
        uint8_t fin = 0;
        r.get(&d); r.get(&h); r.get(&params); r.get(&runs);
        if (!r.ok || runs > kMaxRuns || runs > (bytes.size() - r.at) / 61) return bad("run count out of range");
        c.runs.resize(runs);
        for (CapacityPoint& p : c.runs) get_point(&r, &p);
        r.get(&bf); r.get(&bs); r.get(&c.best_accuracy); r.get(&c.best_bits);
        r.get(&c.bits_per_param); r.get(&cparams); r.get(&c.compiled_bits_per_param);
        r.get(&c.compiled_accuracy); r.get(&fin);
        c.d = d; c.hidden = h; c.params = params; c.best_facts = bf; c.best_subjects = bs;
        c.compiled_params = cparams; c.finished = fin != 0;
    }
    if (!r.done()) return bad("wrong length");
    *out = std::move(s);
    return true;
}

uint64_t capacity_results_hash(const std::vector<CapacityResult>& results) {
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](const void* p, size_t n) {
        const unsigned char* b = static_cast<const unsigned char*>(p);
        for (size_t k = 0; k < n; ++k) h = (h ^ b[k]) * 0x100000001b3ull;
    };
    for (const CapacityResult& r : results) {
        for (const CapacityPoint& p : r.runs) {
            const int v[5] = {p.d, p.hidden, p.subjects, p.facts, p.steps};
            mix(v, sizeof v);
            mix(&p.accuracy, sizeof p.accuracy);
            mix(&p.bits_per_param, sizeof p.bits_per_param);
        }
        mix(&r.best_facts, sizeof r.best_facts);
        mix(&r.compiled_accuracy, sizeof r.compiled_accuracy);
    }
    return h;
}

}  // namespace factlab
