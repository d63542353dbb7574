// view_trace.cpp: "Causal trace", ROME's Figure 1 on the lab's transformer.
//
// Run the prompt clean; again with Gaussian noise (tf_noise × σ, σ the standard
// deviation of the token embeddings) added to the subject's token embeddings,
// where the answer's probability collapses; then, one (position, layer) at a
// time, copy the clean value into the corrupted run and measure how much of the
// answer's probability comes back, averaged over tf_samples noise samples. Three
// maps: the whole residual state after the block, only its MLP output, only its
// attention output. Rows are positions (the subject's marked *), columns layers.
// State: tf_prompt, tf_noise, tf_samples, tf_seed.
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/heatmap.hpp"
#include "ui/common/live_region.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfmodel.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

struct TraceView {
    TfTrace trace;
    std::string key;
    Heatmap maps[3];
    uint64_t version = 0;
    std::string readout;
};

TfTraceOptions trace_options(const App& a) {
    TfTraceOptions o;
    o.noise = a.state.get_float("tf_noise", kTfNoise, 0.0, 10.0);
    o.samples = int(a.state.get_int("tf_samples", kTfSamples, 1, kTfMaxSamples));
    o.seed = uint64_t(a.state.get_int("tf_seed", 1, 0, 1000000000));
    return o;
}

const char* const kMapTitle[3] = {"Residual state", "MLP output", "Attention output"};
const char* const kMapShort[3] = {"residual state", "MLP output", "attention output"};

// One map: the label column (positions, subject marked *), the heatmap, layer numbers under it.
void draw_map(TraceView& V, const TfTrace& t, int k, float label_w, float w, float row_h, bool labels, float lo, float hi) {
    const int T = int(t.tokens.size()), L = int(t.hidden.cols());
    const Eigen::MatrixXf& M = k == 0 ? t.hidden : k == 1 ? t.mlp : t.attn;
    ImGui::BeginGroup();
    ImGui::TextUnformatted(kMapTitle[k]);
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (labels) {
        for (int i = 0; i < T; ++i) {
            bool subj = i >= t.subject_first && i < t.subject_end;
            std::string s = t.tokens[size_t(i)] + (subj ? "*" : "");
            ImVec2 ts = ImGui::CalcTextSize(s.c_str());
            ImGui::PushClipRect(p0, ImVec2(p0.x + label_w - 4, p0.y + T * row_h), true);
            dl->AddText(ImVec2(p0.x + label_w - 6 - ts.x, p0.y + i * row_h + (row_h - ts.y) / 2), theme::text(), s.c_str());
            ImGui::PopClipRect();
        }
        ImGui::Dummy(ImVec2(label_w, 1));
        ImGui::SameLine(0, 0);
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x + (labels ? label_w : 0), p0.y));
    Heatmap& hm = V.maps[k];
    hm.set(M, V.version * 4 + uint64_t(k));
    HeatmapStyle st;
    st.scale = ColorScale::Sequential;
    st.vmin = lo;          // ROME's colours: from the corrupted run's probability up
    st.vmax = hi;
    st.zoom = false;
    st.value_name = "p(answer)";
    st.row_name = [&t](int r) { return "position " + std::to_string(r) + " \"" + t.tokens[size_t(r)] + "\""; };
    st.col_name = [](int c) { return "layer " + std::to_string(c); };
    HeatmapHover hv = hm.draw(kMapShort[k], ImVec2(w, row_h * T), st);
    ImVec2 hmin = ImGui::GetItemRectMin(), hmax = ImGui::GetItemRectMax();
    // The subject's rows, outlined in the text colour (shape, not a colour, says "subject").
    float y0 = hmin.y + t.subject_first * row_h, y1 = hmin.y + t.subject_end * row_h;
    dl->AddRect(ImVec2(hmin.x, y0), ImVec2(hmax.x, y1), theme::text(), 0, 0, 2.0f);
    for (int l = 0; l < L; ++l) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%d", l);
        float cx = hmin.x + (l + 0.5f) * (hmax.x - hmin.x) / L;
        dl->AddText(ImVec2(cx - ImGui::CalcTextSize(buf).x / 2, hmax.y + 2), ImGui::GetColorU32(ImGuiCol_TextDisabled), buf);
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, hmax.y + ImGui::GetTextLineHeightWithSpacing()));
    ImGui::Dummy(ImVec2((labels ? label_w : 0) + w, 1));
    if (hv.hovered) {
        char buf[300];
        std::snprintf(buf, sizeof buf, "%s of layer %d at \"%s\" (position %d) restored: p(%s) = %.3f", kMapShort[k], hv.col,
                      t.tokens[size_t(hv.row)].c_str(), hv.row, t.answer_text.c_str(), hv.value);
        V.readout = buf;
    }
    ImGui::EndGroup();
}

// The largest cell of a map: (position, layer).
void argmax(const Eigen::MatrixXf& M, int* pos, int* layer) {
    Eigen::Index r = 0, c = 0;
    M.maxCoeff(&r, &c);
    *pos = int(r);
    *layer = int(c);
}

void draw_trace(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    const TfModel& m = tflab_model(a);
    TraceView& V = a.ext<TraceView>();
    float width = ImGui::GetContentRegionAvail().x;
    TfTraceOptions opt = trace_options(a);
    tfui::PromptHeader(a, m, ctx,
                       "Noise on the subject's words makes the model lose the answer. Copy one clean piece back "
                       "(a position, a layer) and see how much of the answer returns: the cells that bring it back carry what "
                       "the answer needs.",
                       width);
    const TfRun& r = tflab_run(a);
    if (tfui::NoRun(m, r)) return;
    if (r.subject_first < 0) {
        ui::Note("No subject of the training facts appears in this prompt: there is nothing to corrupt. "
                 "Try \"%s\".", kTfDefaultPrompt);
        return;
    }
    if (ctx.controls) {
        ui::Flow f;
        float sw = ui::Narrow(ctx) ? width : ui::Em(11);
        float noise = float(opt.noise);
        f.next(sw);
        ImGui::SetNextItemWidth(sw);
        if (ImGui::SliderFloat("##noise", &noise, 0.0f, 10.0f, "noise %.1f \xCF\x83")) a.state.set_float("tf_noise", noise);
        if (ImGui::IsItemHovered()) ui::Tooltip("Standard deviation of the noise, in units of \xCF\x83 (the spread of the token embeddings). ROME uses 3.");
        int samples = opt.samples;
        f.next(sw);
        ImGui::SetNextItemWidth(sw);
        if (ImGui::SliderInt("##samples", &samples, 1, kTfMaxSamples, "%d samples")) a.state.set_int("tf_samples", samples);
        if (ImGui::IsItemHovered()) ui::Tooltip("Noise samples averaged for every cell. ROME uses 10.");
        if (f.button("Run again with new noise")) a.state.set_int("tf_seed", int64_t(opt.seed) + 1);
    }

    char key[256];
    std::snprintf(key, sizeof key, "%s/%u/%g/%d/%llu", r.prompt.c_str(), r.model_version, opt.noise, opt.samples,
                  (unsigned long long)opt.seed);
    if (V.key != key) {
        tf_trace(m, r.ids, r.subject_first, r.subject_end, opt, &V.trace);
        V.key = key;
        ++V.version;
        V.readout.clear();
    }
    const TfTrace& t = V.trace;
    if (!t.ok) { ui::Note("%s", t.error.c_str()); return; }

    char line[400];
    std::snprintf(line, sizeof line, "p(%s): clean %.3f, with noise on \"%s\" %.3f", t.answer_text.c_str(), t.p_clean,
                  r.subject.c_str(), t.p_corrupted);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(line);
    ImGui::PopTextWrapPos();

    const int T = int(t.tokens.size());
    float label_w = 0;
    for (int i = 0; i < T; ++i) label_w = std::max(label_w, ImGui::CalcTextSize((t.tokens[size_t(i)] + "*").c_str()).x);
    label_w = std::min(label_w + 10, width * 0.35f);
    float row_h = ui::Em(1.45f);
    float gap = ImGui::GetStyle().ItemSpacing.x * 2;
    bool side = width >= ui::Em(34);
    // One colour scale for the three maps: from the corrupted run's p up to the highest cell.
    float lo = float(t.p_corrupted), hi = std::max({float(t.p_clean), t.hidden.maxCoeff(), t.mlp.maxCoeff(), t.attn.maxCoeff()});
    if (!(hi > lo + 1e-6f)) hi = lo + 1e-6f;
    ImGui::TextUnformatted("Restored at one (position, layer):");
    if (side) {
        float w = (width - label_w - 2 * gap) / 3;
        for (int k = 0; k < 3; ++k) {
            if (k > 0) ImGui::SameLine(0, gap);
            draw_map(V, t, k, label_w, w, row_h, k == 0, lo, hi);
        }
    } else {
        for (int k = 0; k < 3; ++k) draw_map(V, t, k, label_w, width - label_w, row_h, true, lo, hi);
    }
    HeatmapLegend({lo, hi}, ColorScale::Sequential, std::min(width * 0.4f, ui::Em(14)), nullptr);
    ImGui::SameLine();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted("p(answer) with that cell restored. Columns: layers; * the subject.");
    ImGui::PopTextWrapPos();
    ImGui::PushTextWrapPos(0.0f);
    if (!V.readout.empty()) ImGui::TextUnformatted(V.readout.c_str());
    else ImGui::TextDisabled("Hover (or tap) a cell to read it.");
    ImGui::PopTextWrapPos();

    // What this model shows, read off the maps.
    int mp, ml, ap, al;
    argmax(t.mlp, &mp, &ml);
    argmax(t.attn, &ap, &al);
    char verdict[600];
    std::snprintf(verdict, sizeof verdict,
                  "In this model: restoring the MLP output brings p(%s) back most at \"%s\" (position %d%s), layer %d "
                  "(%.3f); the attention output, at \"%s\" (position %d%s), layer %d (%.3f).",
                  t.answer_text.c_str(), t.tokens[size_t(mp)].c_str(), mp,
                  mp == t.subject_end - 1 ? ", the subject's last word" : mp == T - 1 ? ", the last word" : "", ml,
                  t.mlp(mp, ml), t.tokens[size_t(ap)].c_str(), ap,
                  ap == t.subject_end - 1 ? ", the subject's last word" : ap == T - 1 ? ", the last word" : "", al,
                  t.attn(ap, al));
    ui::Note("%s", verdict);
    live::say("trace", std::string(line) + ". " + verdict);
    ui::Note("In GPT-2 XL, ROME (Meng et al. 2022) found the MLP effect peaks at the subject's last token in the "
             "early-middle layers, and attention matters at the last token in late layers.");
    tfui::ModelLine(m);
}

ViewRegistrar reg({"trace", "Causal trace", "transformer", 20, 640.0f, draw_trace,
                   "ROME's causal tracing: where in the transformer restoring a clean state brings the answer back."});

}  // namespace
}  // namespace factlab
