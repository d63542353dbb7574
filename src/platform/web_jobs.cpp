// web_jobs.cpp: the page's long-job workers (platform::job_*; web/factlab-page.js
// section [11]) and factlab.jobs(), the state of the train view's and the capacity
// sweep's jobs for tests and benchmarks (README "JS API").
#include <cstdio>
#include <deque>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "core/jobs_capacity.hpp"
#include "core/gpt/builtin.hpp"
#include "core/jobs_gpt.hpp"
#include "platform/platform.hpp"
#include "ui/capacity/caplab.hpp"
#include "ui/common/app.hpp"
#include "ui/transformer/tflab.hpp"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

extern "C" void factlab_wake();   // platform_web.cpp

namespace {
constexpr int kSlots = 8;
std::deque<std::string> g_inbox[kSlots];
std::string g_failed[kSlots];

EM_JS(int, js_job_start, (int slot, const char* data, int len), {
    return window.factlabPage && window.factlabPage.jobStart ? window.factlabPage.jobStart(slot, HEAPU8.slice(data, data + len)) : 0;
});
EM_JS(void, js_job_post, (int slot, const char* data, int len), {
    if (window.factlabPage && window.factlabPage.jobPost) window.factlabPage.jobPost(slot, HEAPU8.slice(data, data + len));
});
EM_JS(void, js_job_stop, (int slot), {
    if (window.factlabPage && window.factlabPage.jobStop) window.factlabPage.jobStop(slot);
});
}  // namespace

namespace factlab::platform {
bool jobs_may_start() { return true; }

bool job_start(int slot, const std::string& bytes) {
    if (slot < 0 || slot >= kSlots) return false;
    g_inbox[slot].clear();
    g_failed[slot].clear();
    return js_job_start(slot, bytes.data(), int(bytes.size())) != 0;
}
void job_post(int slot, const std::string& bytes) {
    if (slot >= 0 && slot < kSlots) js_job_post(slot, bytes.data(), int(bytes.size()));
}
bool job_take(int slot, std::string* bytes) {
    if (slot < 0 || slot >= kSlots || g_inbox[slot].empty()) return false;
    *bytes = std::move(g_inbox[slot].front());
    g_inbox[slot].pop_front();
    return true;
}
std::string job_failed(int slot) { return slot >= 0 && slot < kSlots ? g_failed[slot] : std::string(); }
void job_stop(int slot) {
    if (slot < 0 || slot >= kSlots) return;
    js_job_stop(slot);
    g_inbox[slot].clear();
}
}  // namespace factlab::platform

// A job worker's reply (bytes the page copied into our heap for the call).
extern "C" void factlab_job_reply(int slot, const char* data, int len) {
    if (slot < 0 || slot >= kSlots || len < 0) return;
    g_inbox[slot].emplace_back(data, size_t(len));
    factlab_wake();
}
// A job worker could not start or stopped: that job goes back to the page thread.
extern "C" void factlab_job_failed(int slot, const char* why) {
    if (slot < 0 || slot >= kSlots) return;
    g_failed[slot] = why && *why ? std::string(why).substr(0, 300) : "failed";
    g_inbox[slot].clear();
    factlab_wake();
}
#endif  // __EMSCRIPTEN__

// The long jobs (the train view's, the capacity lab's sweep, learned model and
// interference series): where they run, how far they are,
// and hashes of their results (the tests compare a worker's run with the page thread's).
extern "C" const char* factlab_jobs_json() {
    using namespace factlab;
    static std::string out;
    App& a = app();
    char hex[20];
    auto hash = [&](uint64_t h) { std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h); return std::string(hex); };
    const TfTraining& T = tflab(a).training;
    const GptTrainProgress& p = T.trainer.progress();
    uint64_t lh = 0xcbf29ce484222325ull;
    for (float v : p.losses) {
        const unsigned char* b = reinterpret_cast<const unsigned char*>(&v);
        for (int k = 0; k < 4; ++k) lh = (lh ^ b[k]) * 0x100000001b3ull;
    }
    nlohmann::json gpt = {{"active", T.active}, {"playing", T.playing}, {"where", T.trainer.where()},
                          {"steps_done", p.steps_done}, {"steps_total", p.steps_total}, {"done", p.done},
                          {"error", T.error + p.error}, {"work_ms", p.work_ms},
                          {"wall_ms", T.trainer.wall_ms()},
                          {"loss", p.losses.empty() ? 0.0 : double(p.losses.back())}, {"losses_hash", hash(lh)},
                          {"accuracy", p.acc_train.empty() ? 0.0 : double(p.acc_train.back())},
                          {"held_out_accuracy", p.acc_held.empty() ? 0.0 : double(p.acc_held.back())},
                          {"train_prompts", p.train_prompts}, {"held_prompts", p.held_prompts},
                          {"weights_hash", T.trainer.has_weights() ? hash(gpt_weights_hash(T.trainer.weights())) : ""}};
    // The shipped model's: the built-in facts with the recipe's 400 steps and seed 1 give it.
    static const std::string builtin = [&] {
        const GptModel* m = gpt_builtin_model();
        return m ? hash(gpt_weights_hash(m->weights)) : std::string();
    }();
    gpt["builtin_weights_hash"] = builtin;
    const CapLab& L = caplab(a);
    const CapacitySnapshot& s = L.sweep_snap;
    nlohmann::json sweep = {{"started", L.sweep_started}, {"running", L.sweep_running}, {"where", L.sweep_where},
                            {"progress", s.progress}, {"done", s.done}, {"error", L.sweep_error + s.error},
                            {"seconds", s.seconds}, {"wall_ms", L.sweep_wall_ms},
                            {"results_hash", hash(capacity_results_hash(s.results))}};
    nlohmann::json runs = nlohmann::json::array();
    for (const CapacityResult& r : s.results) runs.push_back({{"d", r.d}, {"hidden", r.hidden}, {"best_facts", r.best_facts}, {"runs", r.runs.size()}});
    sweep["sizes"] = runs;
    const Trainer& t = L.trainer;
    nlohmann::json learned = {{"where", L.train_where}, {"playing", L.playing}, {"steps_done", t.steps_done()},
                              {"done", t.done()}, {"accuracy", t.accuracy()}, {"loss", t.loss()},
                              {"seconds", t.seconds()}, {"message", t.message()}, {"error", L.train_error},
                              {"weights_hash", hash(mlp_weights_hash(t.model().mlp))}};
    const InterferenceSnapshot& is = L.interf_snap;
    nlohmann::json interf = {{"started", L.interf_started}, {"running", L.interf_running}, {"where", L.interf_where},
                             {"progress", is.progress}, {"done", is.done}, {"points", is.points.size()},
                             {"error", L.interf_error}, {"points_hash", hash(interference_hash(is.points))}};
    out = nlohmann::json({{"gpt_train", gpt}, {"capacity", sweep}, {"learned", learned}, {"interference", interf}}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return out.c_str();
}
