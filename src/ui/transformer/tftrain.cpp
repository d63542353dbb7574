// tftrain.cpp: see tftrain.hpp.
#include "ui/transformer/tftrain.hpp"

#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/transformer/tflab.hpp"

namespace factlab {

constexpr int kJobSlotGpt = 0;      // platform::job_* slot of the train view's job
constexpr int kAccEvery = 25;       // steps between accuracy measurements (a forward of every prompt)

bool TfTrainer::reset(const FactSet& facts, const TfTrainConfig& c, std::string* error) {
    stop();
    *this = TfTrainer{};
    GptRecipe r = gpt_builtin_recipe();
    r.train.steps = c.steps;
    r.train.seed = c.seed;
    if (!gpt_prepare(facts, r, &set_, error)) return false;
    facts_ = facts;
    spec_.model = set_.config;
    spec_.train = r.train;
    spec_.acc_every = kAccEvery;
    spec_.round_fp16 = r.round_fp16;
    spec_.prompts = set_.prompts;
    started_ms_ = platform::now_ms();
    progress_.steps_total = c.steps;
    if (worker_.start(kJobSlotGpt, encode_gpt_job(spec_))) { in_worker_ = true; return true; }
    return start_page(error);
}

bool TfTrainer::start_page(std::string* error) {
    worker_.stop();
    in_worker_ = false;
    page_ = true;
    if (job_.start(spec_, error)) return true;
    page_ = false;
    return false;
}

void TfTrainer::stop() { worker_.stop(); }

double TfTrainer::wall_ms() const { return started_ms_ > 0 ? platform::now_ms() - started_ms_ : 0; }

bool TfTrainer::tick(bool playing, double budget_ms) {
    if (page_) {
        if (!playing || job_.done()) return false;
        platform::keep_awake();                    // work in frames: the page must keep drawing
        job_.run_chunk(budget_ms);
        return true;
    }
    if (!worker_.on()) return false;
    if (!worker_.failed().empty()) {              // the same numbers, from the start, on the page
        std::string err;
        if (!start_page(&err)) progress_.error = err;
        return true;
    }
    bool changed = false;
    std::string bytes, err;
    while (worker_.next(&bytes)) {
        changed = true;
        GptTrainProgress p;
        bool hw = false;
        if (jobs::job_error_text(bytes, &err)) { progress_.error = err; progress_.done = true; worker_.stop(); break; }
        if (!decode_gpt_snapshot(bytes, spec_.model, &p, &w_, &hw, &err)) {
            progress_.error = err; progress_.done = true; worker_.stop(); break;
        }
        if (hw) w_step_ = p.steps_done;
        progress_ = std::move(p);
        has_w_ = has_w_ || hw;
    }
    worker_.pace(progress_.done, playing);
    return changed;
}

//-----------------------------------------------------------------------------
// The lab's side: start, tick, use the model
//-----------------------------------------------------------------------------
static std::string training_key(const App& a) {
    return std::to_string(a.facts_version) + "/" + std::to_string(a.state.get_int("tf_steps", 400, 10, 5000)) + "/" +
           std::to_string(a.state.get_int("tf_train_seed", 1, 0, 1000000));
}

void tflab_start_training(App& a) {
    TfTraining& T = tflab(a).training;
    if (a.facts.facts.empty()) a.model();   // loads the built-in facts on first use
    T.trainer.stop();
    T = TfTraining{};
    TfTrainConfig c;
    c.steps = int(a.state.get_int("tf_steps", 400, 10, 5000));
    c.seed = uint64_t(a.state.get_int("tf_train_seed", 1, 0, 1000000));
    T.source = a.facts_source;
    T.key = training_key(a);
    if (!T.trainer.reset(a.facts, c, &T.error)) return;
    T.active = T.playing = true;
}

void tflab_use_trained(App& a) {
    TfLab& L = tflab(a);
    TfTraining& T = L.training;
    if (!T.trainer.has_weights()) return;
    tflab_model(a);
    TfModel& m = L.model;
    m.w = T.trainer.weights();
    m.vocab = T.trainer.vocab();
    m.facts = T.trainer.facts();
    m.name = "trained here on " + T.source + " (" + std::to_string(T.trainer.progress().steps_done) + " Adam steps)";
    m.ok = true;
    m.error.clear();
    ++m.version;
}

void tflab_tick(App& a) {
    TfTraining& T = tflab(a).training;
    int frame = ImGui::GetFrameCount();
    if (T.last_tick_frame == frame) return;
    T.last_tick_frame = frame;
    T.meter.tick();
    if (!T.active) return;
    if (training_key(a) != T.key) {              // new facts or settings: this run is not theirs any more
        T.trainer.stop();
        T.active = T.playing = false;
        T.note = "The facts or the settings changed, so this training stopped. Train a fresh model to use them.";
        return;
    }
    Budget b(T.meter.budget());
    T.trainer.tick(T.playing, b.left());
    T.meter.add(0, b.elapsed());
    const GptTrainProgress& p = T.trainer.progress();
    if (!p.error.empty()) {
        T.error = p.error;
        T.active = T.playing = false;
        T.trainer.stop();
    } else if (p.done) {
        T.active = T.playing = false;
        tflab_use_trained(a);
    }
}

}  // namespace factlab
