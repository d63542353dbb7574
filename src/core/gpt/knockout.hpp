// knockout.hpp: attention knockout (Geva, Bastings, Filippova, Globerson 2023, "Dissecting
// recall of factual associations"): block the last position's attention to the subject's
// positions (every head) at one layer, or a window of layers around it, and measure how much
// of the answer's probability is lost. A big drop at layer l says the subject's enriched
// representation is read by attention there.
//
// The window is ROME's (trace.hpp): layers [max(0, l - w/2), min(L, l + w - w/2)).
// Fast path: only the last position of the layers from the window's first is recomputed
// (gpt_forward_from on the clean run's cache); `naive` runs whole forwards (for tests).
#pragma once
#include <string>
#include <vector>
#include "core/gpt/model.hpp"

namespace factlab {

struct GptKnockoutResult {
    std::vector<int> tokens;          // (T)
    int subject_first = 0, subject_end = 0;   // the blocked keys [first, end)
    int answer = -1;                  // the token followed (the clean run's top token when not given)
    int window = 1;
    float p_clean = 0.f;
    std::vector<float> p_blocked;     // (L) the answer's probability with the block at layer l
    std::vector<float> change;        // (L) (p_blocked - p_clean) / p_clean: Geva et al.'s relative change
};

// Blocks the last position's attention to [subject_first, subject_end). The subject must end
// before the last position (a query keeps its own key). False with a message on bad input.
bool gpt_attention_knockout(const GptWeights& w, const std::vector<int>& tokens, int subject_first, int subject_end,
                            int answer, int window, GptKnockoutResult* out, std::string* error, bool naive = false);

}  // namespace factlab
