// tfmodel.cpp: see tfmodel.hpp.
//
// [SECTION] Built-in model
// [SECTION] Causal tracing
// [SECTION] Logit lens
// Each wraps src/core/gpt's own analysis, the same call the CLI makes.
#include "ui/transformer/tfmodel.hpp"

#include <algorithm>
#include <cmath>
#include "core/gpt/builtin.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/trace.hpp"
#include "platform/platform.hpp"

namespace factlab {

//-----------------------------------------------------------------------------
// [SECTION] Built-in model
//-----------------------------------------------------------------------------
bool tf_load_builtin(TfModel* m, std::string* error) {
    m->name = "built-in transformer";
    const GptModel* b = gpt_builtin_model(error);
    if (!b) return false;
    m->w = b->weights;
    m->vocab = b->vocab;
    m->facts = b->has_facts ? b->facts : builtin_facts();
    m->name = "built-in transformer (trained on the built-in athletes)";
    return true;
}

//-----------------------------------------------------------------------------
// [SECTION] Causal tracing: gpt_trace (src/core/gpt/trace.hpp), as the CLI runs it
//-----------------------------------------------------------------------------
bool tf_trace(const TfModel& m, const std::vector<int>& ids, int s0, int s1, const TfTraceOptions& opt,
              TfTrace* out) {
    const double t0 = platform::now_ms();
    *out = TfTrace{};
    if (!m.ok) { out->error = m.error; return false; }
    if (ids.empty()) { out->error = "No prompt."; return false; }
    GptTraceOptions o;
    o.samples = std::clamp(opt.samples, 1, kTfMaxSamples);
    o.window = std::clamp(opt.window, 1, m.w.config.n_layer);
    o.seed = opt.seed;
    o.noise_multiplier = float(opt.noise);
    GptTrace t;
    if (!gpt_trace(m.w, ids, s0, s1, o, &t, &out->error)) return false;
    for (int id : t.tokens) out->tokens.push_back(tflab_token(m, id));
    out->subject_first = t.subject_first;
    out->subject_end = t.subject_end;
    out->answer = t.answer;
    out->answer_text = tflab_token(m, t.answer);
    out->p_clean = t.p_clean;
    out->p_corrupted = t.p_corrupted;
    out->hidden = t.hidden;
    out->mlp = t.mlp;
    out->attn = t.attn;
    out->ok = true;
    out->ms = platform::now_ms() - t0;
    return true;
}

//-----------------------------------------------------------------------------
// [SECTION] Logit lens
//-----------------------------------------------------------------------------
TfLens tf_lens(const TfModel& m, const std::vector<int>& ids, int answer) {
    TfLens out;
    GptLens lens;
    std::string err;
    if (!m.ok || !gpt_logit_lens(m.w, ids, answer, 1, &lens, &err)) return out;
    const int L = int(lens.layers.size()), T = int(ids.size());
    out.cells.assign(size_t(L), std::vector<TfLensCell>(size_t(T)));
    for (int l = 0; l < L; ++l) {
        const GptLensLayer& g = lens.layers[size_t(l)];
        for (int t = 0; t < T && t < int(g.top.size()); ++t)
            if (!g.top[size_t(t)].empty()) out.cells[size_t(l)][size_t(t)] = {g.top[size_t(t)][0].token, g.top[size_t(t)][0].probability};
        out.answer_rank.push_back(g.answer_rank + 1);   // 1 = the top word
        out.answer_p.push_back(g.answer_probability);
    }
    out.ok = true;
    return out;
}

}  // namespace factlab
