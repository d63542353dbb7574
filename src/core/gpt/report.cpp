// report.cpp: the analyses as JSON (see report.hpp).
#include "core/gpt/report.hpp"

#include <nlohmann/json.hpp>

namespace factlab {

namespace {

using json = nlohmann::ordered_json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

json words(const GptVocab& v, const std::vector<int>& ids) {
    json a = json::array();
    for (int i : ids) a.push_back(i >= 0 && i < v.size() ? v.words[size_t(i)] : std::string("<?>"));
    return a;
}

json word(const GptVocab& v, int id) { return id >= 0 && id < v.size() ? json(v.words[size_t(id)]) : json(nullptr); }

json top_list(const GptVocab& v, const std::vector<GptTopToken>& top) {
    json a = json::array();
    for (const GptTopToken& t : top) a.push_back({{"token", word(v, t.token)}, {"probability", double(t.probability)}});
    return a;
}

json grid(const Eigen::MatrixXf& m) {                // [row][col]
    json a = json::array();
    for (int i = 0; i < m.rows(); ++i) {
        json r = json::array();
        for (int j = 0; j < m.cols(); ++j) r.push_back(double(m(i, j)));
        a.push_back(std::move(r));
    }
    return a;
}

json floats(const std::vector<float>& x) {
    json a = json::array();
    for (float f : x) a.push_back(double(f));
    return a;
}

json scores(const GptEditScores& s) {
    return {{"efficacy", double(s.efficacy)}, {"paraphrase", double(s.paraphrase)}, {"specificity", double(s.specificity)},
            {"n_paraphrase", s.n_paraphrase}, {"n_specificity", s.n_specificity}, {"p_new", double(s.p_new)},
            {"p_edit", double(s.p_edit)}, {"p_paraphrase", double(s.p_paraphrase)},
            {"specificity_drop", double(s.specificity_drop)}, {"changed", s.changed}};
}

}  // namespace

std::string gpt_prompts_json(const std::vector<GptPrompt>& ps) {
    json a = json::array();
    for (const GptPrompt& p : ps)
        a.push_back({{"prompt", p.text}, {"answer", p.answer_text}, {"relation", p.relation}, {"subject", p.subject},
                     {"held_out", p.held_out}});
    return dump(json{{"prompts", a}});
}

std::string gpt_predict_json(const GptVocab& v, const std::vector<int>& tokens, const GptPrediction& p,
                             const std::vector<int>& greedy) {
    return dump(json{{"prompt", v.decode(tokens)}, {"tokens", words(v, tokens)}, {"top", top_list(v, p.top)},
                     {"greedy", v.decode(greedy)}});
}

std::string gpt_generate_json(const GptVocab& v, const std::vector<int>& tokens, const std::vector<int>& gen) {
    return dump(json{{"prompt", v.decode(tokens)}, {"tokens", words(v, tokens)}, {"generated", v.decode(gen)},
                     {"generated_tokens", words(v, gen)}});
}

std::string gpt_lens_json(const GptVocab& v, const GptLens& lens) {
    json layers = json::array();
    for (const GptLensLayer& l : lens.layers) {
        json pos = json::array();
        for (const auto& t : l.top) pos.push_back(top_list(v, t));
        layers.push_back({{"top", l.top.empty() ? json::array() : top_list(v, l.top.back())},
                          {"answer_probability", double(l.answer_probability)}, {"answer_rank", l.answer_rank},
                          {"positions", pos}});
    }
    return dump(json{{"tokens", words(v, lens.tokens)}, {"answer", word(v, lens.answer)}, {"layers", layers}});
}

std::string gpt_trace_json(const GptVocab& v, const GptTrace& t, uint64_t seed, bool explicit_noise) {
    json j{{"tokens", words(v, t.tokens)}, {"subject_range", {t.subject_first, t.subject_end}}, {"answer", word(v, t.answer)},
           {"p_clean", double(t.p_clean)}, {"p_corrupted", double(t.p_corrupted)}, {"hidden", grid(t.hidden)},
           {"mlp", grid(t.mlp)}, {"attn", grid(t.attn)}, {"samples", t.samples}, {"window", t.window}};
    j["seed"] = explicit_noise ? json(nullptr) : json(seed);
    j["noise_sd"] = explicit_noise ? json(nullptr) : json(double(t.noise_sd));
    j["embedding_std"] = double(t.embedding_std);
    return dump(j);
}

std::string gpt_knockout_json(const GptVocab& v, const GptKnockoutResult& k) {
    json layers = json::array();
    for (size_t l = 0; l < k.p_blocked.size(); ++l)
        layers.push_back({{"p_blocked", double(k.p_blocked[l])}, {"change", double(k.change[l])}});
    return dump(json{{"tokens", words(v, k.tokens)}, {"subject_range", {k.subject_first, k.subject_end}},
                     {"answer", word(v, k.answer)}, {"p_clean", double(k.p_clean)}, {"window", k.window}, {"layers", layers}});
}

std::string gpt_neurons_json(const GptVocab& v, const GptNeuronReport& r) {
    json near = json::array();
    for (const GptNearMiss& m : r.near_misses) near.push_back({{"subject", m.subject}, {"shares", m.shares}});
    json layers = json::array();
    for (const GptNeuronLayer& l : r.layers) {
        json best = json::array();
        for (const GptNeuronScore& s : l.best)
            best.push_back({{"neuron", s.neuron}, {"subject", double(s.subject)}, {"near_max", double(s.near_max)},
                            {"near_mean", double(s.near_mean)}, {"margin", double(s.margin)}});
        layers.push_back({{"best", best}, {"best_near", floats(l.best_near)}, {"ablation", floats(l.ablation)},
                          {"flip", l.flip < 0 ? json(nullptr) : json(l.flip)}});
    }
    return dump(json{{"prompt", r.prompt.text}, {"subject", r.prompt.subject}, {"relation", r.prompt.relation},
                     {"position", r.position}, {"answer", word(v, r.answer)}, {"p_clean", double(r.p_clean)},
                     {"near_misses", near}, {"layers", layers}});
}

std::string gpt_edit_json(const GptEditResult& r) {
    json rome = scores(r.rome.scores), ft = scores(r.finetune.scores);
    rome["steps"] = r.rome.steps;
    rome["loss"] = double(r.rome.loss);
    ft["steps"] = r.finetune.steps;
    ft["loss"] = double(r.finetune.loss);
    return dump(json{{"subject", r.subject}, {"relation", r.relation}, {"old_object", r.old_object},
                     {"new_object", r.new_object}, {"layer", r.layer}, {"layer_by_trace", r.layer_by_trace},
                     {"layer_effects", floats(r.layer_effects)}, {"before", scores(r.before)}, {"rome", rome},
                     {"finetune", ft}, {"delta_norm", double(r.delta_norm)}, {"v_loss", double(r.v_loss)}, {"update_norm", double(r.update_norm)},
                     {"paraphrase_prompts", r.paraphrase_prompts}, {"specificity_prompts", r.specificity_prompts}});
}

}  // namespace factlab
