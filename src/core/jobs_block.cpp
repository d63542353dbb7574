// jobs_block.cpp: see jobs_block.hpp.
#include "core/jobs_block.hpp"

#include <chrono>
#include <cmath>

namespace factlab {

using jobs::ByteReader;
using jobs::ByteWriter;

namespace {
constexpr uint32_t kMaxFacts = 1000000, kMaxName = 4096, kMaxWidths = 64, kMaxMessage = 1000;
constexpr uint32_t kMaxHistory = 1u << 16;
// Weights go with every snapshot up to this many floats (1 MB); past it only when the
// page asks (the last allowed chunk) or the run is over.
constexpr long long kWeightsEveryChunk = 1 << 18;

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void put_facts(ByteWriter* w, const FactSet& fs) {
    w->put(uint32_t(fs.facts.size()));
    for (const Fact& f : fs.facts) { w->put_str(f.subject); w->put_str(f.relation); w->put_str(f.object); }
}

bool get_facts(ByteReader* r, FactSet* fs) {
    uint32_t n = 0;
    // Each fact takes at least 12 bytes (three lengths): a count the message cannot hold is refused first.
    if (!r->get(&n) || n > kMaxFacts || n > (r->s.size() - r->at) / 12) return r->ok = false;
    std::vector<Fact> facts(n);
    for (Fact& f : facts)
        if (!r->get_str(&f.subject, kMaxName) || !r->get_str(&f.relation, kMaxName) || !r->get_str(&f.object, kMaxName))
            return false;
    *fs = make_fact_set(std::move(facts));
    return true;
}

template <class M> void put_mat(ByteWriter* w, const M& m) {
    w->put(int32_t(m.rows()));
    w->put(int32_t(m.cols()));
    if (m.size()) w->s.append(reinterpret_cast<const char*>(m.data()), size_t(m.size()) * sizeof(float));
}

template <class M> bool get_mat(ByteReader* r, M* m, long long max_floats) {
    int32_t rows = 0, cols = 0;
    if (!r->get(&rows) || !r->get(&cols) || rows < 0 || cols < 0) return r->ok = false;
    if ((M::ColsAtCompileTime == 1 && cols != 1) || (long long)rows * cols > max_floats ||
        (long long)rows * cols > (long long)((r->s.size() - r->at) / sizeof(float)))
        return r->ok = false;
    if constexpr (M::ColsAtCompileTime == 1) m->resize(rows);
    else m->resize(rows, cols);
    if (m->size()) std::memcpy(m->data(), r->s.data() + r->at, size_t(m->size()) * sizeof(float));
    r->at += size_t(m->size()) * sizeof(float);
    return true;
}

void mix(uint64_t* h, const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t k = 0; k < n; ++k) *h = (*h ^ b[k]) * 0x100000001b3ull;
}
}  // namespace

void put_train_config(ByteWriter* w, const TrainConfig& t) {
    w->put(int32_t(t.d)); w->put(int32_t(t.hidden)); w->put(int32_t(t.steps)); w->put(t.lr); w->put(t.seed);
    w->put(t.embed_seed); w->put(int32_t(t.batch)); w->put(uint8_t(t.train_b_down)); w->put(int32_t(t.act));
    w->put(int32_t(t.schedule)); w->put(t.init_scale); w->put(t.stop_at_accuracy);
}

bool get_train_config(ByteReader* r, TrainConfig* t) {
    int32_t d = 0, h = 0, steps = 0, batch = 0, act = 0, sched = 0;
    uint8_t bdown = 0;
    r->get(&d); r->get(&h); r->get(&steps); r->get(&t->lr); r->get(&t->seed);
    r->get(&t->embed_seed); r->get(&batch); r->get(&bdown); r->get(&act);
    r->get(&sched); r->get(&t->init_scale); r->get(&t->stop_at_accuracy);
    if (!r->ok) return false;
    if (act != int32_t(Activation::ReLU) && act != int32_t(Activation::GELU)) return r->ok = false;
    if (sched != int32_t(LrSchedule::Constant) && sched != int32_t(LrSchedule::Cosine)) return r->ok = false;
    t->d = d; t->hidden = h; t->steps = steps; t->batch = batch; t->train_b_down = bdown != 0;
    t->act = Activation(act); t->schedule = LrSchedule(sched);
    return true;
}

//-----------------------------------------------------------------------------
// Learned storage
//-----------------------------------------------------------------------------
// Trainer's mirror of a worker's run: here, not in train.cpp, which is compiled -O3
// for its kernels (this runs a few times a second and counts against the gzip budget).
TrainerState Trainer::state() const {
    return {steps_done_, accuracy_, loss_, seconds_, done_, failed_, reached_, message_, history_};
}

bool Trainer::adopt(TrainerState s, Mlp* w) {
    if (s.steps_done < 0 || s.steps_done > cfg_.steps || !std::isfinite(s.accuracy) || !std::isfinite(s.loss) ||
        !std::isfinite(s.seconds) || s.seconds < 0)
        return false;
    if (w) {
        const Mlp& m = model_.mlp;
        if (w->W_up.rows() != m.W_up.rows() || w->W_up.cols() != m.W_up.cols() || w->b_up.size() != m.b_up.size() ||
            w->W_down.rows() != m.W_down.rows() || w->W_down.cols() != m.W_down.cols() ||
            w->b_down.size() != m.b_down.size())
            return false;
        if (!w->W_up.allFinite() || !w->b_up.allFinite() || !w->W_down.allFinite() || !w->b_down.allFinite())
            return false;
        model_.mlp.W_up = std::move(w->W_up);
        model_.mlp.b_up = std::move(w->b_up);
        model_.mlp.W_down = std::move(w->W_down);
        model_.mlp.b_down = std::move(w->b_down);
    }
    steps_done_ = s.steps_done;
    accuracy_ = s.accuracy;
    loss_ = s.loss;
    seconds_ = s.seconds;
    done_ = s.done;
    failed_ = s.failed;
    reached_ = s.reached;
    message_ = std::move(s.message);
    history_ = std::move(s.history);
    return true;
}

bool BlockTrainJob::run_chunk(double ms) {
    const double t0 = now_ms();
    while (!trainer_.done() && trainer_.step(1) > 0 && now_ms() - t0 < ms) {}
    return !trainer_.done();
}

std::string encode_block_train_job(const TrainConfig& cfg, const FactSet& fs) {
    ByteWriter w;
    jobs::put_head(&w, jobs::kJobStart, jobs::JobKind::block_train);
    put_train_config(&w, cfg);
    put_facts(&w, fs);
    return std::move(w.s);
}

bool decode_block_train_job(const std::string& bytes, TrainConfig* cfg, FactSet* fs, std::string* err) {
    ByteReader r(bytes);
    if (!jobs::get_head(&r, jobs::kJobStart, jobs::JobKind::block_train)) {
        *err = "training job: not a training job";
        return false;
    }
    TrainConfig c;
    FactSet f;
    if (!get_train_config(&r, &c) || !get_facts(&r, &f) || !r.done()) {
        *err = "training job: a bad message (short, too long, or a count out of range)";
        return false;
    }
    std::string why;
    if (!validate_train_config(c, &why)) { *err = "training job: " + why; return false; }
    *cfg = c;
    *fs = std::move(f);
    return true;
}

bool BlockTrainJob::start_from(const std::string& bytes, std::string* err) {
    TrainConfig cfg;
    FactSet fs;
    return decode_block_train_job(bytes, &cfg, &fs, err) && start(cfg, fs, err);
}

std::string BlockTrainJob::snapshot(uint32_t chunk, bool with_weights) const {
    const TrainerState s = trainer_.state();
    const Mlp& m = trainer_.model().mlp;
    const bool weights = with_weights || s.done || (long long)(m.W_up.size() + m.W_down.size()) <= kWeightsEveryChunk;
    ByteWriter w;
    jobs::put_head(&w, jobs::kJobSnapshot, jobs::JobKind::block_train);
    w.put(chunk);
    w.put(int32_t(s.steps_done)); w.put(s.accuracy); w.put(s.loss); w.put(s.seconds);
    w.put(uint8_t(s.done)); w.put(uint8_t(s.failed)); w.put(uint8_t(s.reached));
    w.put_str(s.message.substr(0, kMaxMessage));
    w.put(uint32_t(s.history.size()));
    for (const TrainPoint& p : s.history) { w.put(int32_t(p.step)); w.put(p.loss); w.put(p.accuracy); w.put(uint8_t(p.full)); }
    w.put(uint8_t(weights));
    if (weights) { put_mat(&w, m.W_up); put_mat(&w, m.b_up); put_mat(&w, m.W_down); put_mat(&w, m.b_down); }
    return std::move(w.s);
}

bool decode_block_train_snapshot(const std::string& bytes, TrainerState* state, Mlp* out, bool* has_weights,
                                 std::string* err) {
    auto bad = [&](const char* m) { *err = std::string("training snapshot: ") + m; return false; };
    ByteReader r(bytes);
    uint32_t chunk = 0, n = 0;
    if (!jobs::get_head(&r, jobs::kJobSnapshot, jobs::JobKind::block_train) || !r.get(&chunk)) return bad("not one");
    TrainerState s;
    int32_t steps = 0;
    uint8_t done = 0, failed = 0, reached = 0, weights = 0;
    r.get(&steps); r.get(&s.accuracy); r.get(&s.loss); r.get(&s.seconds);
    r.get(&done); r.get(&failed); r.get(&reached);
    r.get_str(&s.message, kMaxMessage);
    r.get(&n);
    constexpr size_t kPointBytes = 4 + 8 + 8 + 1;
    if (!r.ok || n > kMaxHistory || n > (bytes.size() - r.at) / kPointBytes) return bad("too short or a count out of range");
    s.history.resize(n);
    for (TrainPoint& p : s.history) {
        int32_t st = 0;
        uint8_t full = 0;
        r.get(&st); r.get(&p.loss); r.get(&p.accuracy); r.get(&full);
        p.step = st;
        p.full = full != 0;
    }
    r.get(&weights);
    Mlp m;
    constexpr long long kMaxFloats = 1LL << 26;   // validate_train_config's bound on the weights
    if (weights && (!get_mat(&r, &m.W_up, kMaxFloats) || !get_mat(&r, &m.b_up, kMaxFloats) ||
                    !get_mat(&r, &m.W_down, kMaxFloats) || !get_mat(&r, &m.b_down, kMaxFloats)))
        return bad("bad weights");
    if (!r.done()) return bad("wrong length");
    s.steps_done = steps;
    s.done = done != 0;
    s.failed = failed != 0;
    s.reached = reached != 0;
    *state = std::move(s);
    *has_weights = weights != 0;
    if (weights) {
        m.act = out->act;
        *out = std::move(m);
    }
    return true;
}

uint64_t mlp_weights_hash(const Mlp& m) {
    uint64_t h = 0xcbf29ce484222325ull;
    mix(&h, m.W_up.data(), size_t(m.W_up.size()) * sizeof(float));
    mix(&h, m.b_up.data(), size_t(m.b_up.size()) * sizeof(float));
    mix(&h, m.W_down.data(), size_t(m.W_down.size()) * sizeof(float));
    mix(&h, m.b_down.data(), size_t(m.b_down.size()) * sizeof(float));
    return h;
}

//-----------------------------------------------------------------------------
// Interference
//-----------------------------------------------------------------------------
bool InterferenceJob::run_chunk(double ms) {
    const double t0 = now_ms();
    while (sweep_.step(3e7) && now_ms() - t0 < ms) {}
    return !sweep_.done();
}

std::string encode_interference_job(const InterferenceSpec& s, const FactSet& fs) {
    ByteWriter w;
    jobs::put_head(&w, jobs::kJobStart, jobs::JobKind::interference);
    std::vector<int32_t> ds(s.ds.begin(), s.ds.end());
    w.put_vec(ds);
    put_train_config(&w, s.learned);
    w.put(uint8_t(s.with_learned));
    put_facts(&w, fs);
    return std::move(w.s);
}

bool decode_interference_job(const std::string& bytes, InterferenceSpec* out, FactSet* fs, std::string* err) {
    ByteReader r(bytes);
    if (!jobs::get_head(&r, jobs::kJobStart, jobs::JobKind::interference)) {
        *err = "interference job: not an interference job";
        return false;
    }
    InterferenceSpec s;
    std::vector<int32_t> ds;
    uint8_t learned = 0;
    FactSet f;
    r.get_vec(&ds, kMaxWidths);
    if (!get_train_config(&r, &s.learned) || !r.get(&learned) || !get_facts(&r, &f) || !r.done()) {
        *err = "interference job: a bad message (short, too long, or a count out of range)";
        return false;
    }
    s.ds.assign(ds.begin(), ds.end());
    s.with_learned = learned != 0;
    *out = std::move(s);
    *fs = std::move(f);
    return true;   // InterferenceSweep::reset checks the widths and the config
}

bool InterferenceJob::start_from(const std::string& bytes, std::string* err) {
    InterferenceSpec spec;
    FactSet fs;
    return decode_interference_job(bytes, &spec, &fs, err) && start(spec, fs, err);
}

std::string InterferenceJob::snapshot(uint32_t chunk, bool) const {
    ByteWriter w;
    jobs::put_head(&w, jobs::kJobSnapshot, jobs::JobKind::interference);
    w.put(chunk);
    w.put(sweep_.progress());
    w.put(uint8_t(sweep_.done()));
    w.put(uint32_t(sweep_.points().size()));
    for (const InterferencePoint& p : sweep_.points()) {
        w.put(int32_t(p.d)); w.put(p.compiled_accuracy); w.put(p.learned_accuracy);
        w.put(int32_t(p.learned_hidden)); w.put(int32_t(p.learned_steps)); w.put(p.learned_seconds);
    }
    return std::move(w.s);
}

bool decode_interference_snapshot(const std::string& bytes, InterferenceSnapshot* out, std::string* err) {
    ByteReader r(bytes);
    uint32_t chunk = 0, n = 0;
    uint8_t done = 0;
    InterferenceSnapshot s;
    jobs::get_head(&r, jobs::kJobSnapshot, jobs::JobKind::interference);
    r.get(&chunk); r.get(&s.progress); r.get(&done); r.get(&n);
    constexpr size_t kPointBytes = 4 + 8 + 8 + 4 + 4 + 8;
    if (!r.ok || n > kMaxWidths ||
        n > (bytes.size() - r.at) / kPointBytes) {
        *err = "interference snapshot: a bad message";
        return false;
    }
    s.points.resize(n);
    for (InterferencePoint& p : s.points) {
        int32_t d = 0, h = 0, st = 0;
        r.get(&d); r.get(&p.compiled_accuracy); r.get(&p.learned_accuracy);
        r.get(&h); r.get(&st); r.get(&p.learned_seconds);
        p.d = d; p.learned_hidden = h; p.learned_steps = st;
    }
    if (!r.done()) { *err = "interference snapshot: wrong length"; return false; }
    s.done = done != 0;
    *out = std::move(s);
    return true;
}

uint64_t interference_hash(const std::vector<InterferencePoint>& points) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const InterferencePoint& p : points) {
        const int v[3] = {p.d, p.learned_hidden, p.learned_steps};
        mix(&h, v, sizeof v);
        mix(&h, &p.compiled_accuracy, sizeof p.compiled_accuracy);
        mix(&h, &p.learned_accuracy, sizeof p.learned_accuracy);
    }
    return h;
}

}  // namespace factlab
