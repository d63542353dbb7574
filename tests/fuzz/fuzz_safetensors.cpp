// fuzz_safetensors.cpp: libFuzzer target for the transformer's checkpoint reader
// (src/core/gpt/checkpoint.hpp): config.json, vocab.json and model.safetensors together.
//
// Input framing: two little-endian u16 lengths (config, vocab), then the config text, the
// vocab text, and the rest is the safetensors file (short inputs: what is there).
// Properties checked on every input, beyond "no crash, no sanitizer report":
//   - a failed read leaves the previous model untouched and says why;
//   - a successful read has finite weights shaped by a valid config, a vocabulary of
//     vocab_size words, and writes back (F32) to files that read again to the same bits;
//   - the safetensors reader alone, under a fixed small config, obeys the same rules.
// Run: tests/fuzz/run.sh, or build/fuzz/fuzz_safetensors tests/fuzz/corpus/safetensors
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include "core/gpt/checkpoint.hpp"

using namespace factlab;

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "fuzz_safetensors: property failed: %s\n  ", #cond);    \
            std::fprintf(stderr, __VA_ARGS__);                                           \
            std::fprintf(stderr, "\n");                                                  \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

static bool same_bits(const GptWeights& a, const GptWeights& b) {
    std::vector<GptConstTensor> ta = a.tensors(), tb = b.tensors();
    if (ta.size() != tb.size()) return false;
    for (size_t i = 0; i < ta.size(); ++i)
        if (ta[i].name != tb[i].name || ta[i].shape != tb[i].shape ||
            std::memcmp(ta[i].data, tb[i].data, size_t(ta[i].size()) * 4) != 0)
            return false;
    return true;
}

// A sentinel model: any failed read must leave it exactly as it was.
static const GptModel& sentinel() {
    static GptModel m = [] {
        GptModel s;
        std::string e;
        gpt_vocab_from_words({kGptEndToken, "a", "b"}, &s.vocab, &e);
        GptConfig c;
        c.n_layer = 1; c.n_head = 1; c.n_embd = 4; c.n_positions = 4; c.n_inner = 4; c.vocab_size = 3;
        s.weights.resize(c, &e);
        s.weights.init(5);
        return s;
    }();
    return m;
}

static void check_model(const GptModel& m) {
    std::string e;
    FUZZ_CHECK(m.weights.config.validate(&e), "accepted an invalid config: %s", e.c_str());
    FUZZ_CHECK(m.vocab.size() == m.weights.config.vocab_size, "vocab %d vs vocab_size %d", m.vocab.size(),
               m.weights.config.vocab_size);
    FUZZ_CHECK(m.weights.finite(&e), "accepted non-finite weights: %s", e.c_str());
    FUZZ_CHECK(m.vocab.end_id >= 0 && m.vocab.end_id < m.vocab.size(), "end token out of range");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    size_t nc = size >= 2 ? size_t(data[0] | data[1] << 8) : 0, nv = size >= 4 ? size_t(data[2] | data[3] << 8) : 0;
    size_t at = size < 4 ? size : 4;
    nc = std::min(nc, size - at);
    GptCheckpointFiles f;
    f.config_json.assign(reinterpret_cast<const char*>(data) + at, nc);
    at += nc;
    nv = std::min(nv, size - at);
    f.vocab_json.assign(reinterpret_cast<const char*>(data) + at, nv);
    at += nv;
    f.safetensors.assign(reinterpret_cast<const char*>(data) + at, size - at);

    // The whole folder.
    GptModel m = sentinel();
    std::string err;
    if (!gpt_checkpoint_from_files(f, &m, &err)) {
        FUZZ_CHECK(!err.empty(), "failed without a message");
        FUZZ_CHECK(same_bits(m.weights, sentinel().weights) && m.vocab.words == sentinel().vocab.words,
                   "a failed read changed the model (%s)", err.c_str());
    } else {
        check_model(m);
        GptCheckpointFiles g;
        gpt_checkpoint_to_files(m, &g);
        GptModel again;
        FUZZ_CHECK(gpt_checkpoint_from_files(g, &again, &err), "written files do not read back: %s", err.c_str());
        FUZZ_CHECK(same_bits(again.weights, m.weights) && again.vocab.words == m.vocab.words, "round trip changed the model");
    }

    // The tensor file alone, under the sentinel's config.
    GptWeights w = sentinel().weights;
    if (!gpt_safetensors_decode(f.safetensors, sentinel().weights.config, &w, &err)) {
        FUZZ_CHECK(!err.empty(), "decode failed without a message");
        FUZZ_CHECK(same_bits(w, sentinel().weights), "a failed decode changed the weights");
    } else {
        FUZZ_CHECK(w.finite(&err), "decode accepted non-finite weights");
        GptWeights back;
        FUZZ_CHECK(gpt_safetensors_decode(gpt_safetensors_encode(w), w.config, &back, &err), "re-encode fails: %s", err.c_str());
        FUZZ_CHECK(same_bits(back, w), "re-encode changed the weights");
    }
    return 0;
}
