// gate_json.cpp: gpt_gate_json (see gate.hpp), in the style of report.cpp.
#include <nlohmann/json.hpp>
#include "core/gpt/gate.hpp"

namespace factlab {

namespace {
using json = nlohmann::ordered_json;

json word(const GptVocab& v, int id) { return id >= 0 && id < v.size() ? json(v.words[size_t(id)]) : json(nullptr); }

json neuron(const GptGateNeuron& s) {
    return {{"layer", s.layer}, {"neuron", s.neuron}, {"subject", double(s.subject)}, {"near_max", double(s.near_max)},
            {"margin", double(s.margin)}, {"contribution", double(s.contribution)}};
}
}  // namespace

std::string gpt_gate_json(const GptVocab& v, const GptGate& g) {
    json toks = json::array();
    for (int id : g.tokens) toks.push_back(word(v, id));
    json names = json::array();
    for (const GptGateName& n : g.names)
        names.push_back({{"name", n.name}, {"first", n.first}, {"last", n.last}, {"shares", n.shares},
                         {"in_facts", n.in_facts}, {"activation", double(n.activation)}, {"top", word(v, n.top)},
                         {"p_top", double(n.p_top)}, {"p_answer", double(n.p_answer)}});
    json ranked = json::array();
    for (const GptGateNeuron& s : g.ranked) ranked.push_back(neuron(s));
    json abl = json::array();
    for (float p : g.ablation) abl.push_back(double(p));
    json j{{"prompt", v.decode(g.tokens)}, {"tokens", toks}, {"subject", g.subject},
           {"subject_range", {g.subject_first, g.subject_end}}, {"position", g.position}, {"answer", word(v, g.answer)},
           {"p_clean", double(g.p_clean)}, {"logit_clean", double(g.logit_clean)}, {"best", neuron(g.best)},
           {"names", names},
           {"unrelated", {{"count", g.unrelated}, {"mean", double(g.unrelated_mean)}, {"max", double(g.unrelated_max)},
                          {"max_name", g.unrelated_max_name}}},
           {"ranked", ranked}, {"ablation", abl}, {"flip", g.flip < 0 ? json(nullptr) : json(g.flip)}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace factlab
