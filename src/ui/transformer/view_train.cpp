// view_train.cpp: "Train": a fresh transformer learns the current facts in the
// page, a slice of Adam steps per frame, with its progress, the time left, the
// loss and the accuracy on the training phrasings and on the held-out one. When
// it finishes, every view of the lab shows the new model.
// State: tf_steps (Adam steps), tf_train_seed.
#include <algorithm>
#include <cstdio>
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
    float width = ImGui::GetContentRegionAvail().x;
    const bool started = !T.trainer.losses().empty() || T.active;
    // The buttons stay in an embed without controls: this view is its buttons.
    {
        ui::Caption("Train a fresh transformer (2 layers, d_model 64, 4 heads, MLP 256) on the current facts, here in "
                    "the page. Three phrasings per relation are trained on; the fourth is held out.");
        ui::Flow f;
        if (f.button(T.active ? "Start again" : "Train a fresh model")) tflab_start_training(a);
        if (T.active && f.button(T.playing ? "Pause" : "Resume")) T.playing = !T.playing;
        if (T.active && !T.playing && T.trainer.steps_done() > 0 && f.button("Use it as it is")) {
            tflab_use_trained(a);
            T.active = false;
        }
        f.next(ImGui::CalcTextSize("Facts: ").x + ImGui::CalcTextSize(a.facts_source.c_str()).x);
        ImGui::AlignTextToFramePadding();
        ImGui::Text("Facts: %s", a.facts_source.c_str());
    }
    if (!T.error.empty()) { ui::Note("%s", T.error.c_str()); return; }
    if (!started) {
        ui::Note("The lab now shows: %s.", m.ok ? m.name.c_str() : "no model");
        return;
    }
    const int done = T.trainer.steps_done(), total = T.trainer.config().steps;
    double per_step = done > 0 ? T.work_ms / done : 0;
    double wall = platform::now_ms() - T.started_ms;
    char line[300];
    if (T.active)
        std::snprintf(line, sizeof line, "Step %d of %d, about %.0f s left (%.0f ms of work per step)", done, total,
                      per_step * (total - done) / 1000.0 * (wall > 0 && T.work_ms > 0 ? wall / T.work_ms : 1.0), per_step);
    else
        std::snprintf(line, sizeof line, "Done: %d steps in %.1f s of work; the lab now uses this model.", done, T.work_ms / 1000.0);
    ImGui::TextUnformatted(line);
    ui::ProgressBar(float(done) / std::max(1, total), width, theme::learned());

    const std::vector<float>& loss = T.trainer.losses();
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
        for (float v : T.acc_train) tr.push_back(100 * v);
        for (float v : T.acc_held) ho.push_back(100 * v);
        if (!tr.empty()) {
            plot::Line(T.acc_steps.data(), tr.data(), int(tr.size()), theme::learned(), 2.5f);
            plot::Line(T.acc_steps.data(), ho.data(), int(ho.size()), theme::data(), 1.5f, plot::Dash::Dashed);
            plot::Points(T.acc_steps.data(), ho.data(), int(ho.size()), theme::data(), 2.5f);
        }
        plot::End();
    }
    ImGui::EndGroup();
    if (!T.acc_train.empty())
        ui::Note("Now: %.1f%% of the %d training prompts, %.1f%% of the %d held-out prompts. A model trained on a few "
                 "fixed phrasings often cannot answer one it never saw (Allen-Zhu & Li 2023).",
                 100 * T.acc_train.back(), T.trainer.train_rows(), 100 * T.acc_held.back(), T.trainer.held_rows());
}

ViewRegistrar reg({"train", "Train", "transformer", 80, 460.0f, draw_train,
                   "Train a fresh transformer on the current facts in the page, and watch its loss and accuracy."});

}  // namespace
}  // namespace factlab
