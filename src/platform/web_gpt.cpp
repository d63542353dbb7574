// web_gpt.cpp: the C exports behind factlab.gpt (web/factlab-page.js, README "JS API"):
// predict, lens and trace of the transformer lab's model, as the very JSON that
// `factlab-cli gpt predict|lens|trace --json` prints (src/core/gpt/report.hpp), with
// the CLI's defaults (top 5, greedy up to 8 words, 10 samples, window 1, seed 1,
// noise 3 sigma, the subject found in the prompt). The model is the lab's: the
// built-in one, or one trained in the page. Errors come back as {"error": "..."}.
// No Emscripten calls: this builds natively too.
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "core/gpt/gate.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/report.hpp"
#include "core/gpt/trace.hpp"
#include "ui/common/app.hpp"
#include "ui/transformer/tflab.hpp"

namespace factlab {
namespace {

std::string g_gpt_out;   // the last returned string (valid until the next call)

const char* reply(const std::string& s) {
    g_gpt_out = s;
    return g_gpt_out.c_str();
}
const char* error_reply(const std::string& e) {
    return reply(nlohmann::json({{"error", e}}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The prompt's ids as the CLI reads them; false with the CLI's message.
bool tokens_of(const TfModel& m, const char* prompt, std::vector<int>* t, std::string* err) {
    if (!m.ok) { *err = "the model is not available: " + m.error; return false; }
    std::string p = prompt ? prompt : "";
    if (p.empty()) { *err = "--prompt P is needed"; return false; }
    if (!m.vocab.encode(p, t, err)) return false;
    if (t->empty()) { *err = "the prompt has no words"; return false; }
    if (int(t->size()) > m.w.config.n_positions) {
        *err = "the prompt has " + std::to_string(t->size()) + " words; the model's context holds " +
               std::to_string(m.w.config.n_positions);
        return false;
    }
    return true;
}

// An integer option of a JSON object, within [lo, hi]; false when present and bad.
bool int_opt(const nlohmann::json& o, const char* key, long long fallback, long long lo, long long hi, long long* out,
             std::string* err) {
    *out = fallback;
    if (!o.is_object() || !o.contains(key)) return true;
    const nlohmann::json& v = o[key];
    if (!v.is_number_integer() && !v.is_number_unsigned()) { *err = std::string(key) + " must be an integer"; return false; }
    long long x = v.get<long long>();
    if (x < lo || x > hi) {
        *err = std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi);
        return false;
    }
    *out = x;
    return true;
}

// The texts arrive on the heap as (pointer, length), never on the wasm stack; the page
// cuts each one just past kGptTextMax, so a longer one is refused here, whole.
constexpr int kGptTextMax = 4096;
bool take_texts(const char* p, int pn, const char* o, int on, std::string* prompt, std::string* options,
                std::string* err) {
    if (pn < 0 || on < 0 || (pn > 0 && !p) || (on > 0 && !o)) { *err = "bad text arguments"; return false; }
    if (pn > kGptTextMax) { *err = "the prompt is longer than " + std::to_string(kGptTextMax) + " bytes"; return false; }
    if (on > kGptTextMax) { *err = "the options are longer than " + std::to_string(kGptTextMax) + " bytes"; return false; }
    prompt->assign(p ? p : "", size_t(pn));
    options->assign(o ? o : "", size_t(on));
    return true;
}

nlohmann::json parse_options(const char* options, std::string* err) {
    if (!options || !*options) return nlohmann::json::object();
    nlohmann::json o = nlohmann::json::parse(options, nullptr, false);
    if (o.is_discarded() || !o.is_object()) { *err = "the options must be a JSON object"; return nlohmann::json(); }
    return o;
}

}  // namespace
}  // namespace factlab

using namespace factlab;

// factlab.gpt.predict(prompt, {top}) = `gpt predict --prompt P [--top K] --json`
extern "C" const char* factlab_gpt_predict(const char* prompt_p, int prompt_n, const char* options_p, int options_n) {
    std::string prompt_s, options_s, text_err;
    if (!take_texts(prompt_p, prompt_n, options_p, options_n, &prompt_s, &options_s, &text_err)) return error_reply(text_err);
    const char* prompt = prompt_s.c_str();
    const char* options = options_s.c_str();
    const TfModel& m = tflab_model(app());
    std::string err;
    std::vector<int> t, g;
    long long k;
    nlohmann::json o = parse_options(options, &err);
    if (!err.empty() || !int_opt(o, "top", 5, 1, 1000, &k, &err) || !tokens_of(m, prompt, &t, &err)) return error_reply(err);
    GptPrediction p;
    if (!gpt_predict(m.w, t, int(k), &p, &err)) return error_reply(err);
    if (!gpt_generate(m.w, t, m.vocab.end_id, 8, &g, &err)) return error_reply(err);
    return reply(gpt_predict_json(m.vocab, t, p, g));
}

// factlab.gpt.lens(prompt, {top}) = `gpt lens --prompt P [--top K] --json`
extern "C" const char* factlab_gpt_lens(const char* prompt_p, int prompt_n, const char* options_p, int options_n) {
    std::string prompt_s, options_s, text_err;
    if (!take_texts(prompt_p, prompt_n, options_p, options_n, &prompt_s, &options_s, &text_err)) return error_reply(text_err);
    const char* prompt = prompt_s.c_str();
    const char* options = options_s.c_str();
    const TfModel& m = tflab_model(app());
    std::string err;
    std::vector<int> t;
    long long k;
    nlohmann::json o = parse_options(options, &err);
    if (!err.empty() || !int_opt(o, "top", 5, 1, 1000, &k, &err) || !tokens_of(m, prompt, &t, &err)) return error_reply(err);
    GptLens lens;
    if (!gpt_logit_lens(m.w, t, -1, int(k), &lens, &err)) return error_reply(err);
    return reply(gpt_lens_json(m.vocab, lens));
}

// factlab.gpt.trace(prompt, {subject, samples, window, seed, noise_multiplier}) =
// `gpt trace --prompt P [--subject S] [--samples N] [--window W] [--seed K] [--noise-multiplier X] --json`
extern "C" const char* factlab_gpt_trace(const char* prompt_p, int prompt_n, const char* options_p, int options_n) {
    std::string prompt_s, options_s, text_err;
    if (!take_texts(prompt_p, prompt_n, options_p, options_n, &prompt_s, &options_s, &text_err)) return error_reply(text_err);
    const char* prompt = prompt_s.c_str();
    const char* options = options_s.c_str();
    const TfModel& m = tflab_model(app());
    std::string err;
    std::vector<int> t;
    long long samples = 0, window = 0, seed = 0;
    nlohmann::json o = parse_options(options, &err);
    if (!err.empty() || !tokens_of(m, prompt, &t, &err) || !int_opt(o, "samples", 10, 1, 10000, &samples, &err) ||
        !int_opt(o, "window", 1, 1, m.w.config.n_layer, &window, &err) ||
        !int_opt(o, "seed", 1, 0, 9007199254740991LL, &seed, &err))
        return error_reply(err);
    double mult = 3.0;
    if (o.contains("noise_multiplier")) {
        const nlohmann::json& v = o["noise_multiplier"];
        if (!v.is_number() || !(v.get<double>() >= 0.0 && v.get<double>() <= 1000.0))
            return error_reply("noise_multiplier must be a number between 0 and 1000");
        mult = v.get<double>();
    }
    int first = 0, end = 0;
    if (o.contains("subject")) {
        if (!o["subject"].is_string()) return error_reply("subject must be a string");
        if (!gpt_locate_subject(m.vocab, t, o["subject"].get<std::string>(), &first, &end, &err)) return error_reply(err);
    } else if (gpt_find_subject(m.facts, m.vocab, t, &first, &end) < 0) {
        return error_reply("no subject of the facts file in the prompt; name one with --subject S");
    }
    GptTraceOptions opt;
    opt.samples = int(samples);
    opt.window = int(window);
    opt.seed = uint64_t(seed);
    opt.noise_multiplier = float(mult);
    GptTrace r;
    if (!gpt_trace(m.w, t, first, end, opt, &r, &err)) return error_reply(err);
    return reply(gpt_trace_json(m.vocab, r, opt.seed, false));
}

// factlab.gpt.gate(prompt, {subject, top}) = `gpt gate --prompt P [--subject S] [--top K] --json`
// (core/gpt/gate.hpp: the AND gate in the wild).
extern "C" const char* factlab_gpt_gate(const char* prompt_p, int prompt_n, const char* options_p, int options_n) {
    std::string prompt_s, options_s, err;
    if (!take_texts(prompt_p, prompt_n, options_p, options_n, &prompt_s, &options_s, &err)) return error_reply(err);
    const TfModel& m = tflab_model(app());
    std::vector<int> t;
    long long k = 0;
    nlohmann::json o = parse_options(options_s.c_str(), &err);
    if (!err.empty() || !tokens_of(m, prompt_s.c_str(), &t, &err) || !int_opt(o, "top", 32, 0, 100000, &k, &err))
        return error_reply(err);
    int first = 0, end = 0;
    if (o.contains("subject")) {
        if (!o["subject"].is_string()) return error_reply("subject must be a string");
        if (!gpt_locate_subject(m.vocab, t, o["subject"].get<std::string>(), &first, &end, &err)) return error_reply(err);
    } else if (gpt_find_subject(m.facts, m.vocab, t, &first, &end) < 0) {
        return error_reply("no subject of the facts file in the prompt; name one with --subject S");
    }
    GptGateOptions opt;
    opt.top = int(k);
    GptGate g;
    if (!gpt_and_gate(m.w, m.vocab, m.facts, t, first, end, opt, &g, &err)) return error_reply(err);
    return reply(gpt_gate_json(m.vocab, g));
}
