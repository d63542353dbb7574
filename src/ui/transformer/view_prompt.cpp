// view_prompt.cpp: "Prompt", the transformer lab's first view.
//
// Type a prompt in the model's words; see its tokens at their positions (the
// subject outlined), the model's greedy answer, and the next-token distribution
// (softmax of the last position's logits). Unknown words are named, and nothing
// runs until every word is one the model knows.
// State: tf_prompt (shared by every view of the lab).
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

void draw_prompt(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    const TfModel& m = tflab_model(a);
    float width = ImGui::GetContentRegionAvail().x;
    if (ctx.controls) {
        ui::Caption("A transformer reads the words in order; at the last position it gives a probability to every "
                    "word it knows. Type a prompt in its words.");
        tfui::PromptField(a, m, width);
        std::vector<std::string> ex = tfui::ExamplePrompts(m);
        if (!ex.empty()) {
            ui::Flow f;
            f.next(ImGui::CalcTextSize("Try:").x);
            ImGui::AlignTextToFramePadding();
            ImGui::TextUnformatted("Try:");
            for (const std::string& e : ex) {
                ImGui::PushID(e.c_str());
                if (f.button(e.c_str())) a.state.set("tf_prompt", e);
                ImGui::PopID();
            }
        }
    }
    const TfRun& r = tflab_run(a);
    ImGui::Spacing();
    if (!r.words.empty()) tfui::TokenChips(m, r);
    if (tfui::NoRun(m, r)) return;

    // The answer, in large type: the greedy words up to the end token.
    ImFont* big = ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr;
    std::string head = "\xE2\x86\x92 " + (r.greedy_text.empty() ? std::string("(end)") : r.greedy_text);
    if (big) ImGui::PushFont(big);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(head.c_str());
    ImGui::PopTextWrapPos();
    if (big) ImGui::PopFont();
    ui::Note(r.greedy_ended ? "Greedy answer: the most likely word, again and again, until the model gives its end token."
                            : "Greedy answer: the most likely word, again and again (stopped before an end token).");
    if (r.subject.empty())
        ui::Note("No subject of the training facts appears in this prompt, so the model has no stored fact to recall.");
    ImGui::Separator();

    ImGui::TextUnformatted("Next word after the prompt");
    std::vector<std::string> labels;
    std::vector<float> values;
    int shown = std::min<int>(int(r.top.size()), ctx.height > ui::Em(28) || !ctx.controls ? 8 : 6);
    for (int i = 0; i < shown; ++i) {
        labels.push_back(tflab_token(m, r.top[size_t(i)]));
        values.push_back(100.0f * r.probs[r.top[size_t(i)]]);
    }
    int hov = plot::HBars("next", labels, values, width, ui::Em(1.25f), 0, 100, 0, "%.1f%%", theme::data());
    if (hov >= 0)
        ui::Tooltip("\"%s\": rank %d of %d words, probability %.3f%%", labels[size_t(hov)].c_str(), hov + 1,
                    int(r.probs.size()), values[size_t(hov)]);
    ImGui::Spacing();
    tfui::ModelLine(m);
}

ViewRegistrar reg({"prompt", "Prompt", "transformer", 10, 520.0f, draw_prompt,
                   "Type a prompt and see how a small transformer, trained here on the athletes, continues it."});

}  // namespace
}  // namespace factlab
