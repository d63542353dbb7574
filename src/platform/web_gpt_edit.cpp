// web_gpt_edit.cpp: factlab.gpt.edit (web/factlab-page.js): ROME and the naive fine-tune on the
// transformer lab's current model, as the very JSON `factlab-cli gpt edit --json` prints
// (src/core/gpt/report.hpp) with the CLI's defaults (the layer by the trace, 200 steps each).
// It runs whole, on the caller's time (the tf-edit view slices the same job over frames);
// it does not change the lab's model. Errors come back as {"error": "..."}. No Emscripten
// calls: this builds natively too.
#include <string>
#include <nlohmann/json.hpp>
#include "core/gpt/report.hpp"
#include "core/gpt/rome.hpp"
#include "ui/common/app.hpp"
#include "ui/transformer/tflab.hpp"

namespace factlab {
namespace {

std::string g_edit_out;   // the last returned string (valid until the next call)
constexpr int kTextMax = 4096;

const char* edit_reply(const std::string& s) {
    g_edit_out = s;
    return g_edit_out.c_str();
}
const char* edit_error(const std::string& e) {
    return edit_reply(nlohmann::json({{"error", e}}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// A string option (required) or an integer one within [lo, hi] (optional).
bool str_opt(const nlohmann::json& o, const char* key, std::string* out, std::string* err) {
    if (!o.contains(key) || !o[key].is_string()) { *err = std::string(key) + " (a string) is needed"; return false; }
    *out = o[key].get<std::string>();
    return true;
}
bool int_opt(const nlohmann::json& o, const char* key, long long lo, long long hi, long long* out, std::string* err) {
    if (!o.contains(key)) return true;
    const nlohmann::json& v = o[key];
    if (!v.is_number_integer() && !v.is_number_unsigned()) { *err = std::string(key) + " must be an integer"; return false; }
    const long long x = v.get<long long>();
    if (x < lo || x > hi) { *err = std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi); return false; }
    *out = x;
    return true;
}

}  // namespace
}  // namespace factlab

using namespace factlab;

// factlab.gpt.edit(subject, {relation, object, layer, steps, ft_steps}) =
// `gpt edit --subject S --relation R --object O [--layer L] [--steps N] [--ft-steps N] --json`
extern "C" const char* factlab_gpt_edit(const char* subject_p, int subject_n, const char* options_p, int options_n) {
    if (subject_n < 0 || options_n < 0 || (subject_n > 0 && !subject_p) || (options_n > 0 && !options_p)) return edit_error("bad text arguments");
    if (subject_n > kTextMax) return edit_error("the subject is longer than " + std::to_string(kTextMax) + " bytes");
    if (options_n > kTextMax) return edit_error("the options are longer than " + std::to_string(kTextMax) + " bytes");
    const std::string subject(subject_p ? subject_p : "", size_t(subject_n));
    const std::string options(options_p ? options_p : "", size_t(options_n));
    nlohmann::json o = options.empty() ? nlohmann::json::object() : nlohmann::json::parse(options, nullptr, false);
    if (o.is_discarded() || !o.is_object()) return edit_error("the options must be a JSON object");
    const TfModel& m = tflab_model(app());
    if (!m.ok) return edit_error("the model is not available: " + m.error);
    std::string relation, object, err;
    long long layer = -1, steps = 200, ft_steps = -1;
    if (!str_opt(o, "relation", &relation, &err) || !str_opt(o, "object", &object, &err) ||
        !int_opt(o, "layer", -1, m.w.config.n_layer - 1, &layer, &err) || !int_opt(o, "steps", 1, 100000, &steps, &err) ||
        !int_opt(o, "ft_steps", 0, 100000, &ft_steps, &err))
        return edit_error(err);
    GptEditOptions opt;
    opt.layer = int(layer);
    opt.v_steps = int(steps);
    opt.ft_steps = ft_steps < 0 ? int(steps) : int(ft_steps);
    GptEditResult r;
    if (!gpt_rome_edit(m.w, m.vocab, m.facts, subject, relation, object, opt, &r, &err)) return edit_error(err);
    return edit_reply(gpt_edit_json(r));
}
