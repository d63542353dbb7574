// builtin.cpp: the built-in recipe, training a recipe end to end, and the embedded model.
#include "core/gpt/builtin.hpp"
#include <algorithm>
#include "core/gpt/eval.hpp"

// The embedded files of src/core/data/gpt/ (cmake/embed.cmake).
extern const unsigned char builtin_gpt_config_json[];
extern const size_t builtin_gpt_config_json_size;
extern const unsigned char builtin_gpt_vocab_json[];
extern const size_t builtin_gpt_vocab_json_size;
extern const unsigned char builtin_gpt_safetensors[];
extern const size_t builtin_gpt_safetensors_size;

namespace factlab {

GptRecipe gpt_builtin_recipe() { return GptRecipe{}; }

bool gpt_prepare(const FactSet& fs, const GptRecipe& r, GptTrainingSet* out, std::string* error) {
    GptTrainingSet s;
    s.vocab = gpt_make_vocab(fs);
    if (!gpt_build_prompts(fs, s.vocab, &s.prompts, error)) return false;
    s.sequences = gpt_training_sequences(s.prompts);
    if (s.sequences.empty()) { if (error) *error = "the facts give no training prompts"; return false; }
    s.config.n_layer = r.n_layer;
    s.config.n_head = r.n_head;
    s.config.n_embd = r.n_embd;
    s.config.n_inner = r.n_inner;
    s.config.vocab_size = s.vocab.size();
    int longest = 0;
    for (const GptPrompt& p : s.prompts) longest = std::max(longest, int(p.tokens.size() + p.answer.size()));
    s.config.n_positions = std::max(r.min_context, longest);
    if (!s.config.validate(error)) return false;
    *out = std::move(s);
    return true;
}

void gpt_round_fp16(GptWeights* w) {
    for (GptTensor& t : w->tensors())
        for (int64_t i = 0; i < t.size(); ++i) t.data[i] = gpt_half_to_float(gpt_float_to_half(t.data[i]));
}

bool gpt_train_recipe(const FactSet& fs, const GptRecipe& r, GptModel* out, std::string* error,
                      void (*progress)(int, double, void*), void* ctx) {
    GptTrainingSet set;
    if (!gpt_prepare(fs, r, &set, error)) return false;
    GptTrainer trainer;
    if (!trainer.init(set.config, r.train, set.sequences, error)) return false;
    while (!trainer.done()) {
        const double loss = trainer.step();
        if (progress) progress(trainer.steps_done(), loss, ctx);
    }
    GptModel m;
    m.weights = trainer.weights();
    if (r.round_fp16) gpt_round_fp16(&m.weights);
    if (!m.weights.finite(error)) { if (error) *error = "training diverged: " + *error; return false; }
    m.vocab = set.vocab;
    m.facts = fs;
    m.has_facts = true;
    *out = std::move(m);
    return true;
}

const GptModel* gpt_builtin_model(std::string* error) {
    static GptModel model;
    static std::string problem;
    static const bool ok = [] {
        GptCheckpointFiles f;
        f.config_json.assign(reinterpret_cast<const char*>(builtin_gpt_config_json), builtin_gpt_config_json_size);
        f.vocab_json.assign(reinterpret_cast<const char*>(builtin_gpt_vocab_json), builtin_gpt_vocab_json_size);
        f.safetensors.assign(reinterpret_cast<const char*>(builtin_gpt_safetensors), builtin_gpt_safetensors_size);
        if (!gpt_checkpoint_from_files(f, &model, &problem)) { problem = "the built-in transformer: " + problem; return false; }
        model.facts = builtin_facts();
        model.has_facts = true;
        return true;
    }();
    if (!ok) { if (error) *error = problem; return nullptr; }
    return &model;
}

}  // namespace factlab
