// tflab.cpp: see tflab.hpp.
//
// [SECTION] Model: the built-in transformer, loaded on first use
// [SECTION] Run: the current prompt through the model
// [SECTION] Text: captions and token labels
#include "ui/transformer/tflab.hpp"

#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "platform/platform.hpp"
#include "core/gpt/lens.hpp"
#include "ui/common/app.hpp"
#include "ui/transformer/tfmodel.hpp"

namespace factlab {

TfLab& tflab(App& a) { return a.ext<TfLab>(); }

std::string tflab_prompt(const App& a) { return a.state.get("tf_prompt", kTfDefaultPrompt); }

//-----------------------------------------------------------------------------
// [SECTION] Model
//-----------------------------------------------------------------------------
const TfModel& tflab_model(App& a) {
    TfModel& m = tflab(a).model;
    if (!m.loaded) {
        m.loaded = true;
        m.ok = tf_load_builtin(&m, &m.error);
        ++m.version;
    }
    return m;
}

// Training in the page: tftrain.cpp.

//-----------------------------------------------------------------------------
// [SECTION] Run
//-----------------------------------------------------------------------------
constexpr int kTopShown = 10;      // next-token candidates kept
constexpr int kGreedyMax = 8;      // greedy words after the prompt (objects are 1-3 words + end)

void tflab_compute_run(const TfModel& m, const FactSet& facts, const std::string& prompt, TfRun* r) {
    *r = TfRun{};
    r->prompt = prompt;
    r->model_version = m.version;
    r->words = gpt_split_words(prompt);
    if (!m.ok) { r->error = m.error; return; }
    if (r->words.empty()) { r->error = "Type a prompt: the model continues it word by word."; return; }
    if (!m.vocab.encode(prompt, &r->ids, &r->error)) return;
    const int P = m.w.config.n_positions;
    if (int(r->ids.size()) >= P) {
        r->error = "The prompt has " + std::to_string(r->ids.size()) + " words; this model reads at most " +
                   std::to_string(P - 1) + " before its answer.";
        r->ids.clear();
        return;
    }
    int sid = gpt_find_subject(facts, m.vocab, r->ids, &r->subject_first, &r->subject_end);
    if (sid >= 0 && sid < int(facts.subjects.size())) r->subject = facts.subjects[size_t(sid)];
    else r->subject_first = r->subject_end = -1;

    GptIntervention clean;
    clean.logits = GptLogits::last;
    if (!gpt_forward(m.w, r->ids.data(), int(r->ids.size()), &clean, &r->cache, &r->error)) return;
    r->probs = gpt_softmax(r->cache.logits.row(0));
    std::vector<int> order(size_t(r->probs.size()));
    for (int i = 0; i < int(order.size()); ++i) order[size_t(i)] = i;
    const int k = std::min<int>(kTopShown, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int x, int y) {
        return r->probs[x] != r->probs[y] ? r->probs[x] > r->probs[y] : x < y;
    });
    r->top.assign(order.begin(), order.begin() + k);

    // Greedy continuation (gpt_generate, as `factlab-cli gpt predict`): up to the end token.
    std::vector<int> gen;
    if (gpt_generate(m.w, r->ids, m.vocab.end_id, kGreedyMax, &gen, nullptr)) {
        for (int id : gen) {
            if (id == m.vocab.end_id) { r->greedy_ended = true; break; }
            r->greedy.push_back(id);
        }
    }
    r->greedy_text = m.vocab.decode(r->greedy);
    r->ok = true;
}

const TfRun& tflab_run(App& a) {
    TfLab& L = tflab(a);
    const TfModel& m = tflab_model(a);
    std::string prompt = tflab_prompt(a);
    std::string key = std::to_string(m.version) + "/" + prompt;
    if (key != L.run_key) {
        tflab_compute_run(m, m.facts, prompt, &L.run);
        L.run_key = key;
    }
    return L.run;
}

//-----------------------------------------------------------------------------
// [SECTION] Text
//-----------------------------------------------------------------------------
static std::string grouped(long long v) {
    std::string s = std::to_string(v), out;
    int n = 0;
    for (int i = int(s.size()) - 1; i >= 0; --i) {
        out.insert(out.begin(), s[size_t(i)]);
        if (++n % 3 == 0 && i > 0 && s[size_t(i - 1)] != '-') out.insert(out.begin(), ',');
    }
    return out;
}

std::string tflab_model_caption(const TfModel& m) {
    if (!m.ok) return "no model";
    const GptConfig& c = m.w.config;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%d layers, d_model %d, %d heads, MLP %d, %s parameters, %d words",
                  c.n_layer, c.n_embd, c.n_head, c.n_inner, grouped(c.n_params()).c_str(), c.vocab_size);
    return m.name + ": " + buf;
}

std::string tflab_token(const TfModel& m, int id) {
    if (id == m.vocab.end_id) return "\xE2\x8F\x8E end";   // ⏎
    if (id < 0 || id >= m.vocab.size()) return "?";
    return m.vocab.words[size_t(id)];
}

}  // namespace factlab
