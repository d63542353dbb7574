// jobs_gpt.cpp: see jobs_gpt.hpp.
#include "core/jobs_gpt.hpp"

#include <chrono>
#include <cmath>
#include "core/gpt/builtin.hpp"
#include "core/gpt/eval.hpp"

namespace factlab {

using jobs::ByteReader;
using jobs::ByteWriter;

namespace {
constexpr uint32_t kMaxPrompts = 1000000, kMaxPromptTokens = 4096, kMaxSteps = 10000001;

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void put_config(ByteWriter* w, const GptConfig& c) {
    w->put(int32_t(c.n_layer)); w->put(int32_t(c.n_head)); w->put(int32_t(c.n_embd));
    w->put(int32_t(c.n_positions)); w->put(int32_t(c.vocab_size)); w->put(int32_t(c.n_inner));
    w->put(c.layer_norm_epsilon);
}
bool get_config(ByteReader* r, GptConfig* c) {
    int32_t v[6];
    for (int32_t& x : v) r->get(&x);
    r->get(&c->layer_norm_epsilon);
    c->n_layer = v[0]; c->n_head = v[1]; c->n_embd = v[2]; c->n_positions = v[3]; c->vocab_size = v[4]; c->n_inner = v[5];
    return r->ok;
}
bool same_config(const GptConfig& a, const GptConfig& b) {
    return a.n_layer == b.n_layer && a.n_head == b.n_head && a.n_embd == b.n_embd && a.n_positions == b.n_positions &&
           a.vocab_size == b.vocab_size && a.n_inner == b.n_inner && a.layer_norm_epsilon == b.layer_norm_epsilon;
}
}  // namespace

// ---- the job ---------------------------------------------------------------------------

bool GptTrainJob::start_from(const std::string& bytes, std::string* err) {
    GptTrainJobSpec spec;
    return decode_gpt_job(bytes, &spec, err) && start(spec, err);
}

bool GptTrainJob::start(const GptTrainJobSpec& spec, std::string* err) {
    spec_ = spec;
    spec_.train.threads = 1;
    if (spec_.acc_every < 1) spec_.acc_every = 1;
    progress_ = GptTrainProgress{};
    final_ = false;
    if (!trainer_.init(spec_.model, spec_.train, gpt_training_sequences(spec_.prompts), err)) return false;
    progress_.steps_total = spec_.train.steps;
    for (const GptPrompt& p : spec_.prompts) ++(p.held_out ? progress_.held_prompts : progress_.train_prompts);
    measure();
    if (trainer_.done()) run_chunk(0);   // a 0-step run: just the rounding
    return true;
}

void GptTrainJob::measure() {
    const GptEvalResult r = gpt_evaluate(weights(), spec_.prompts);
    progress_.acc_steps.push_back(float(trainer_.steps_done()));
    progress_.acc_train.push_back(float(r.accuracy()));
    progress_.acc_held.push_back(float(r.held_out_accuracy()));
}

bool GptTrainJob::run_chunk(double ms) {
    if (progress_.done) return false;
    const double t0 = now_ms();
    while (!trainer_.done()) {
        const double loss = trainer_.step();
        progress_.losses.push_back(float(loss));
        progress_.steps_done = trainer_.steps_done();
        if (!std::isfinite(loss)) {
            progress_.error = "the loss is not finite at step " + std::to_string(trainer_.steps_done()) + "; training stopped";
            progress_.done = true;
            break;
        }
        if (trainer_.done()) break;
        if (trainer_.steps_done() % spec_.acc_every == 0) { measure(); break; }
        if (now_ms() - t0 >= ms) break;
    }
    if (trainer_.done() && !progress_.done) {
        final_w_ = trainer_.weights();
        if (spec_.round_fp16) gpt_round_fp16(&final_w_);
        final_ = true;
        measure();
        progress_.done = true;
    }
    progress_.work_ms += now_ms() - t0;
    return !progress_.done;
}

// ---- bytes ---------------------------------------------------------------------------

std::string encode_gpt_job(const GptTrainJobSpec& s) {
    ByteWriter w;
    w.put(jobs::kJobStart);
    w.put(uint32_t(jobs::JobKind::gpt_train));
    put_config(&w, s.model);
    w.put(int32_t(s.train.steps)); w.put(int32_t(s.train.batch));
    w.put(s.train.lr); w.put(s.train.beta1); w.put(s.train.beta2); w.put(s.train.eps);
    w.put(s.train.seed);
    w.put(int32_t(s.acc_every));
    w.put(uint8_t(s.round_fp16));
    w.put(uint32_t(s.prompts.size()));
    for (const GptPrompt& p : s.prompts) {
        w.put_vec(p.tokens);
        w.put_vec(p.answer);
        w.put(uint8_t(p.held_out));
    }
    return std::move(w.s);
}

bool decode_gpt_job(const std::string& bytes, GptTrainJobSpec* out, std::string* err) {
    auto bad = [&](const char* m) { *err = std::string("training job: ") + m; return false; };
    ByteReader r(bytes);
    uint32_t magic = 0, kind = 0, n = 0;
    r.get(&magic); r.get(&kind);
    if (!r.ok || magic != jobs::kJobStart || kind != uint32_t(jobs::JobKind::gpt_train)) return bad("not a training job");
    GptTrainJobSpec s;
    int32_t steps = 0, batch = 0, acc = 0;
    uint8_t round = 0;
    get_config(&r, &s.model);
    r.get(&steps); r.get(&batch);
    r.get(&s.train.lr); r.get(&s.train.beta1); r.get(&s.train.beta2); r.get(&s.train.eps);
    r.get(&s.train.seed);
    r.get(&acc); r.get(&round);
    r.get(&n);
    if (!r.ok) return bad("too short");
    s.train.steps = steps; s.train.batch = batch; s.acc_every = acc; s.round_fp16 = round != 0;
    std::string why;
    if (!s.model.validate(&why) || !s.train.validate(&why)) { *err = "training job: " + why; return false; }
    if (acc < 1 || acc > 1000000) return bad("accuracy interval out of range");
    if (n > kMaxPrompts || n > (bytes.size() - r.at) / 9) return bad("prompt count out of range");
    s.prompts.resize(n);
    for (GptPrompt& p : s.prompts) {
        uint8_t held = 0;
        r.get_vec(&p.tokens, kMaxPromptTokens);
        r.get_vec(&p.answer, kMaxPromptTokens);
        r.get(&held);
        if (!r.ok) return bad("a prompt runs past the end");
        p.held_out = held != 0;
        if (p.tokens.empty() || p.answer.empty() || int(p.tokens.size() + p.answer.size()) > s.model.n_positions)
            return bad("a prompt is empty or longer than the context");
        for (int id : p.tokens) if (id < 0 || id >= s.model.vocab_size) return bad("a token id is out of range");
        for (int id : p.answer) if (id < 0 || id >= s.model.vocab_size) return bad("a token id is out of range");
    }
    if (!r.done()) return bad("trailing bytes");
    *out = std::move(s);
    return true;
}

std::string GptTrainJob::snapshot(uint32_t chunk, bool with_weights) const {
    const GptTrainProgress& p = progress_;
    ByteWriter w;
    w.put(jobs::kJobSnapshot);
    w.put(uint32_t(jobs::JobKind::gpt_train));
    w.put(chunk);
    w.put(int32_t(p.steps_done)); w.put(int32_t(p.steps_total));
    w.put(int32_t(p.train_prompts)); w.put(int32_t(p.held_prompts));
    w.put(p.work_ms);
    w.put(uint8_t(p.done));
    w.put_str(p.error);
    w.put_vec(p.losses);
    w.put_vec(p.acc_steps); w.put_vec(p.acc_train); w.put_vec(p.acc_held);
    with_weights = with_weights || p.done;
    w.put(uint8_t(with_weights));
    if (with_weights) {
        const GptWeights& W = weights();
        put_config(&w, W.config);
        for (const GptConstTensor& t : W.tensors()) w.s.append(reinterpret_cast<const char*>(t.data), size_t(t.size()) * sizeof(float));
    }
    return std::move(w.s);
}

bool decode_gpt_snapshot(const std::string& bytes, const GptConfig& config, GptTrainProgress* out, GptWeights* weights,
                         bool* has_weights, std::string* err) {
    auto bad = [&](const char* m) { *err = std::string("training snapshot: ") + m; return false; };
    ByteReader r(bytes);
    uint32_t magic = 0, kind = 0, chunk = 0;
    r.get(&magic); r.get(&kind); r.get(&chunk);
    if (!r.ok || magic != jobs::kJobSnapshot || kind != uint32_t(jobs::JobKind::gpt_train)) return bad("not a training snapshot");
    GptTrainProgress p;
    int32_t v[4];
    uint8_t done = 0, hw = 0;
    for (int32_t& x : v) r.get(&x);
    r.get(&p.work_ms); r.get(&done);
    r.get_str(&p.error, 1000);
    r.get_vec(&p.losses, kMaxSteps);
    r.get_vec(&p.acc_steps, kMaxSteps); r.get_vec(&p.acc_train, kMaxSteps); r.get_vec(&p.acc_held, kMaxSteps);
    r.get(&hw);
    if (!r.ok) return bad("too short");
    p.steps_done = v[0]; p.steps_total = v[1]; p.train_prompts = v[2]; p.held_prompts = v[3]; p.done = done != 0;
    if (p.acc_train.size() != p.acc_steps.size() || p.acc_held.size() != p.acc_steps.size()) return bad("curves disagree");
    GptWeights w;                                   // *weights and *has_weights change only on success
    if (hw) {
        GptConfig c;
        get_config(&r, &c);
        if (!r.ok || !same_config(c, config)) return bad("weights of another shape");
        if (!w.resize(config, err)) return false;
        for (GptTensor& t : w.tensors()) {
            const size_t len = size_t(t.size()) * sizeof(float);
            if (bytes.size() - r.at < len) return bad("weights cut short");
            std::memcpy(t.data, bytes.data() + r.at, len);
            r.at += len;
        }
        if (!w.finite(err)) return false;
    }
    if (!r.done()) return bad("trailing bytes");
    *has_weights = hw != 0;
    if (hw) *weights = std::move(w);
    *out = std::move(p);
    return true;
}

uint64_t gpt_weights_hash(const GptWeights& w) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const GptConstTensor& t : w.tensors()) {
        const unsigned char* b = reinterpret_cast<const unsigned char*>(t.data);
        for (size_t k = 0; k < size_t(t.size()) * sizeof(float); ++k) h = (h ^ b[k]) * 0x100000001b3ull;
    }
    return h;
}

}  // namespace factlab
