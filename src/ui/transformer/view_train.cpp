// view_train.cpp: "Train": a fresh transformer learns the current facts in the
// page (in a Web Worker, or a slice of Adam steps per frame where none starts), with
// its progress, the time left, the loss and the accuracy on the training phrasings
// and on the held-out one. When it finishes, every view of the lab shows the new model.
// State: tf_steps (Adam steps, 10..5000), tf_train_seed, tf_train=1 (start by itself).
#include <algorithm>
#include <cstdio>
#include <string>
#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

void draw_train(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    TfLab& L = tflab(a);
    TfTraining& T = L.training;
    const TfModel& m = tflab_model(a);
    // A link or an embed with tf_train=1 starts training by itself, once, a few frames
    // after the first (on the page thread the start measures every prompt: not in the first frame).
    if (!T.active && !L.train_autostarted && a.state.get_bool("tf_train", false)) {
        if (ImGui::GetFrameCount() > 5) {
            L.train_autostarted = true;
            tflab_start_training(a);
        } else {
            platform::keep_awake();
        }
    }
    const GptTrainProgress& P = T.trainer.progress();
    float width = ImGui::GetContentRegionAvail().x;
    const bool started = T.active || P.steps_total > 0;
    // The buttons stay in an embed without controls: this view is its buttons.
    {
        ui::Caption("Train a fresh transformer (2 layers, d_model 64, 4 heads, MLP 256) on the current facts, here in "
                    "the page. Three phrasings per relation are trained on; the fourth is held out.");
        ui::Flow f;
        if (f.button(T.active ? "Start again" : "Train a fresh model")) tflab_start_training(a);
        if (T.active && f.button(T.playing ? "Pause" : "Resume")) T.playing = !T.playing;
        if (T.active && !T.playing && P.steps_done > 0 && T.trainer.has_weights() && f.button("Use it as it is")) {
            tflab_use_trained(a);
            T.trainer.stop();
            T.active = false;
        }
        f.next(ImGui::CalcTextSize("Facts: ").x + ImGui::CalcTextSize(a.facts_source.c_str()).x);
        ImGui::AlignTextToFramePadding();
        ImGui::Text("Facts: %s", a.facts_source.c_str());
    }
    if (!T.error.empty()) { ui::Note("%s", T.error.c_str()); return; }
    if (!T.note.empty()) ui::Note("%s", T.note.c_str());
    if (!started) {
        ui::Note("The lab now shows: %s.", m.ok ? m.name.c_str() : "no model");
        return;
    }
    const int done = P.steps_done, total = P.steps_total;
    const bool worker = std::string(T.trainer.where()) == "worker";
    double per_step = done > 0 ? P.work_ms / done : 0;
    // Sliced on the page thread a step's work is spread over frames: scale by wall time per work time.
    double wall = T.trainer.wall_ms(), stretch = !worker && wall > 0 && P.work_ms > 0 ? wall / P.work_ms : 1.0;
    char line[300];
    if (T.active && done == 0)
        std::snprintf(line, sizeof line, "Starting (%s)...", worker ? "in a Web Worker" : "on the page thread");
    else if (T.active)
        std::snprintf(line, sizeof line, "Step %d of %d, about %.0f s left (%.0f ms per step, %s)%s", done, total,
                      per_step * (total - done) / 1000.0 * stretch, per_step,
                      worker ? "in a Web Worker" : "on the page thread", T.playing ? "" : ", paused");
    else if (P.done)
        std::snprintf(line, sizeof line, "Done: %d steps in %.1f s of work; the lab now uses this model.", done, P.work_ms / 1000.0);
    else
        std::snprintf(line, sizeof line, "Stopped at step %d of %d.", done, total);
    ImGui::TextUnformatted(line);
    ui::ProgressBar(float(done) / std::max(1, total), width, theme::learned());

    const std::vector<float>& loss = P.losses;
    float pw = ui::Narrow(ctx) ? width : (width - ImGui::GetStyle().ItemSpacing.x) / 2;
    float ph = ui::Em(10);
    float lmax = 0.1f;
    for (float v : loss) lmax = std::max(lmax, v);
    ImGui::BeginGroup();
    ImGui::TextUnformatted("Loss (cross-entropy on the answer words)");
    if (plot::Begin("loss", ImVec2(pw, ph), {0, double(std::max(1, total)), "Adam step"}, {0, double(lmax), nullptr})) {
        if (!loss.empty()) plot::LineY(loss.data(), int(loss.size()), theme::learned(), 1, 1);
        plot::End();
    }
    ImGui::EndGroup();
    if (!ui::Narrow(ctx)) ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::TextUnformatted("Facts known (line: trained phrasings; dots: held out)");
    if (plot::Begin("acc", ImVec2(pw, ph), {0, double(std::max(1, total)), "Adam step"}, {0, 100, "%"})) {
        std::vector<float> tr, ho;
        for (float v : P.acc_train) tr.push_back(100 * v);
        for (float v : P.acc_held) ho.push_back(100 * v);
        if (!tr.empty()) {
            plot::Line(P.acc_steps.data(), tr.data(), int(tr.size()), theme::learned(), 2.5f);
            plot::Line(P.acc_steps.data(), ho.data(), int(ho.size()), theme::data(), 1.5f, plot::Dash::Dashed);
            plot::Points(P.acc_steps.data(), ho.data(), int(ho.size()), theme::data(), 2.5f);
        }
        plot::End();
    }
    ImGui::EndGroup();
    if (!P.acc_train.empty())
        ui::Note("At step %d: %.1f%% of the %d training prompts known, %.1f%% of the %d held-out prompts. A model trained "
                 "on a few fixed phrasings often cannot answer one it never saw (Allen-Zhu & Li 2023, GPT-2-style models "
                 "on synthetic biographies).",
                 int(P.acc_steps.back()), 100 * P.acc_train.back(), P.train_prompts, 100 * P.acc_held.back(), P.held_prompts);
}

ViewRegistrar reg({"train", "Train", "transformer", 80, 460.0f, draw_train,
                   "Train a fresh transformer on the current facts in the page, and watch its loss and accuracy."});

}  // namespace
}  // namespace factlab
