// eval.cpp: teacher-forced "known" check over packed batches, and greedy decoding.
#include "core/gpt/eval.hpp"
#include <algorithm>

namespace factlab {
namespace {
int argmax(const float* p, int n) {
    int best = 0;
    for (int i = 1; i < n; ++i) if (p[i] > p[best]) best = i;
    return best;
}
}  // namespace

GptSequence gpt_sequence(const GptPrompt& p) {
    GptSequence s;
    s.tokens = p.tokens;
    s.tokens.insert(s.tokens.end(), p.answer.begin(), p.answer.end());
    s.target.assign(s.tokens.size(), 0);
    for (size_t i = p.tokens.size(); i < s.tokens.size(); ++i) s.target[i] = 1;
    return s;
}

std::vector<GptSequence> gpt_training_sequences(const std::vector<GptPrompt>& prompts) {
    std::vector<GptSequence> out;
    for (const GptPrompt& p : prompts) if (!p.held_out) out.push_back(gpt_sequence(p));
    return out;
}

GptEvalResult gpt_evaluate(const GptWeights& w, const std::vector<GptPrompt>& prompts, int batch) {
    GptEvalResult r;
    r.known.assign(prompts.size(), 0);
    std::vector<GptSequence> seqs;
    for (const GptPrompt& p : prompts) seqs.push_back(gpt_sequence(p));
    GptBatchCache cache;
    const int n = int(prompts.size()), V = w.config.vocab_size;
    for (int b0 = 0; b0 < n; b0 += std::max(1, batch)) {
        const int b1 = std::min(n, b0 + std::max(1, batch));
        const GptBatch bt = gpt_make_batch(seqs, {}, b0, b1);
        gpt_loss_and_grad(w, bt, nullptr, 1.f, &cache);
        int k = 0;                                          // target rows, in order
        for (int s = b0; s < b1; ++s) {
            bool ok = true;
            for (int i = bt.starts[s - b0]; i < bt.starts[s - b0 + 1]; ++i) {
                if (bt.targets[i] < 0) continue;
                ok = ok && argmax(cache.probs.data() + int64_t(k) * V, V) == bt.targets[i];
                ++k;
            }
            r.known[s] = ok;
        }
    }
    for (int s = 0; s < n; ++s) {
        if (prompts[s].held_out) { ++r.held_out_prompts; r.held_out_correct += r.known[s]; }
        else { ++r.train_prompts; r.train_correct += r.known[s]; }
    }
    return r;
}

bool gpt_greedy(const GptWeights& w, const std::vector<int>& prompt, int max_new, int end_id, std::vector<int>* out,
                std::string* error) {
    out->clear();
    std::vector<int> t = prompt;
    GptCache cache;
    for (int k = 0; k < max_new; ++k) {
        if (k > 0 && int(t.size()) > w.config.n_positions) break;   // the context is full: stop
        if (!gpt_forward(w, t.data(), int(t.size()), nullptr, &cache, error)) return false;
        const int next = argmax(cache.logits.data(), w.config.vocab_size);
        out->push_back(next);
        if (next == end_id) break;
        t.push_back(next);
    }
    return true;
}

}  // namespace factlab
