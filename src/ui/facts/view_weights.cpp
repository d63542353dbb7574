// view_weights.cpp: "Weights": W_up and W_down as heatmaps (GLSL, heatmap.*).
//
// Two ways to look at the same numbers:
//   raw      W_up (h, d), W_down (d, h): the columns of W_up / rows of W_down are
//            residual dimensions, which mean nothing alone (the named directions
//            are random unit vectors), so it looks like noise;
//   named    W_up · tokensᵀ (h, T): each neuron's row read on the token directions,
//            objects · W_down (O, h): each neuron's column read on the object
//            directions. The structure appears: + on a subject's own tokens,
//            − on vetoed ones, and + on the objects it writes.
// Diverging colour map with a symmetric scale; hover reads out row, column,
// value and the neuron's label; a click selects the neuron (state "neuron").
// State: "wbasis" (raw | named), "wsel" (both | up | down: which matrices).
//
// Bounded by what the page holds (issue 10): with 20,000 subjects the named
// W_up is 20,000 neurons × up to 80,000 tokens. The named matrices are made in
// chunks of rows and pooled to at most kSide × kSide cells (each cell the most
// extreme of its block, as the shader does), and past kWork multiply-adds only
// their leading neurons and tokens are made; the title says which.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/heatmap.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

constexpr int kSide = 2048;            // cells per side: every WebGL2 device takes a 2048² texture
constexpr double kWork = 2e9;          // multiply-adds for one named matrix (about 0.5 s as wasm)

// A·B for a heatmap, bounded: rows [0, R) and columns [0, C) of the product,
// pooled by blocks of fr × fc. Small products are exactly A·B (fr = fc = 1).
struct Bounded {
    Mat M;                             // (ceil(R / fr), ceil(C / fc))
    int rows = 0, cols = 0;            // the whole product's size
    int R = 0, C = 0;                  // the part made
    int fr = 1, fc = 1;                // pooling factors
    bool cut() const { return R < rows || C < cols; }
};

void bounded_product(const Eigen::Ref<const Mat>& A, const Eigen::Ref<const Mat>& B, Bounded* out) {
    const int r = int(A.rows()), c = int(B.cols()), k = std::max(1, int(A.cols()));
    Bounded& b = *out;
    b.rows = r; b.cols = c; b.R = r; b.C = c;
    const double cells = kWork / k;                      // what the budget buys
    if (double(r) * c > cells) {
        double side = std::sqrt(cells);
        if (c <= side) b.R = int(cells / c);
        else if (r <= side) b.C = int(cells / r);
        else { b.R = int(side); b.C = int(side); }
        b.R = std::clamp(b.R, 1, r);
        b.C = std::clamp(b.C, 1, c);
    }
    b.fr = (b.R + kSide - 1) / kSide;
    b.fc = (b.C + kSide - 1) / kSide;
    if (!b.cut() && b.fr == 1 && b.fc == 1) { b.M.noalias() = A * B; return; }   // today's numbers
    b.M = Mat::Zero((b.R + b.fr - 1) / b.fr, (b.C + b.fc - 1) / b.fc);
    for (int i0 = 0; i0 < b.R; i0 += 1024) {
        const int n = std::min(1024, b.R - i0);
        Mat P(n, b.C);                                   // (n, C): a chunk of rows of the product
        P.noalias() = A.middleRows(i0, n) * B.leftCols(b.C);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < b.C; ++j) {
                float& q = b.M((i0 + i) / b.fr, j / b.fc);
                if (std::fabs(P(i, j)) > std::fabs(q)) q = P(i, j);
            }
    }
}

struct WeightsView {
    Heatmap up, down;
    Bounded named_up, named_down;      // (h, T), (O, h) in the named basis, bounded
    unsigned named_version = ~0u;
    std::string readout;               // last hovered cell, kept for touch screens
};

// "neuron 12" or, for a pooled cell, "neurons 120–129".
std::string span_name(const char* one, const char* many, int cell, int factor, int total) {
    if (factor <= 1) return std::string(one) + " " + std::to_string(cell);
    int lo = cell * factor, hi = std::min(total, lo + factor) - 1;
    return std::string(many) + " " + std::to_string(lo) + "\xE2\x80\x93" + std::to_string(hi);
}

void draw_one(App& a, WeightsView& V, bool is_up, bool named, ImVec2 size, int neuron) {
    const Model& m = a.model();
    Heatmap& hm = is_up ? V.up : V.down;
    uint64_t key = (uint64_t(a.model_version()) << 2) | (named ? 2u : 0u) | (is_up ? 1u : 0u);
    const Bounded* nb = named ? (is_up ? &V.named_up : &V.named_down) : nullptr;
    if (named) hm.set(nb->M, key);
    else if (is_up) hm.set(m.mlp.W_up, key);
    else hm.set(m.mlp.W_down, key);

    // Pooling factors of the named matrices (1 when each cell is one weight):
    // fn for the neuron axis, fo for the other (tokens or objects).
    const int fn = !nb ? 1 : is_up ? nb->fr : nb->fc, fo = !nb ? 1 : is_up ? nb->fc : nb->fr;
    const int rows = nb ? nb->rows : hm.rows(), cols = nb ? nb->cols : hm.cols();
    char title[160];
    if (is_up) std::snprintf(title, sizeof title, named ? "W_up read on the tokens  (%d neurons \xC3\x97 %d tokens)"
                                                       : "W_up  (%d neurons \xC3\x97 %d dims)", rows, cols);
    else std::snprintf(title, sizeof title, named ? "W_down read on the objects  (%d objects \xC3\x97 %d neurons)"
                                                  : "W_down  (%d dims \xC3\x97 %d neurons)", rows, cols);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + size.x);
    ImGui::TextUnformatted(title);
    if (nb && nb->cut())
        ui::Note("Too large to make whole here: the first %d of %d %s and the first %d of %d %s.", nb->R, nb->rows,
                 is_up ? "neurons" : "objects", nb->C, nb->cols, is_up ? "tokens" : "neurons");
    if (nb && (nb->fr > 1 || nb->fc > 1))
        ui::Note("Each cell shows the most extreme of %d \xC3\x97 %d weights.", nb->fr, nb->fc);
    ImGui::PopTextWrapPos();

    HeatmapStyle st;
    st.scale = ColorScale::Diverging;
    const int h = m.mlp.hidden();
    auto neuron_name = [&m, fn, h](int cell) {
        if (fn > 1) return span_name("neuron", "neurons", cell, fn, h);
        return "neuron " + std::to_string(cell) + ": " + ui::neuron_label(m, cell);
    };
    if (is_up) {
        st.highlight_row = neuron / fn;
        st.row_name = neuron_name;
        const int T = int(m.vocab.tokens.size());
        st.col_name = [&m, named, fo, T](int j) {
            if (named && fo > 1) return span_name("token", "tokens", j, fo, T);
            return named ? "token \"" + (j < T ? token_label(m, j) : std::string("?")) + "\""
                         : "residual dimension " + std::to_string(j);
        };
        st.value_name = named ? "row \xC2\xB7 token" : "W_up[row, col]";
    } else {
        st.highlight_col = neuron / fn;
        st.col_name = neuron_name;
        const int O = int(m.vocab.objects.size());
        st.row_name = [&m, named, fo, O](int i) {
            if (named && fo > 1) return span_name("object", "objects", i, fo, O);
            return named ? "object " + (i < O ? m.vocab.objects[size_t(i)] : std::string("?"))
                         : "residual dimension " + std::to_string(i);
        };
        st.value_name = named ? "object \xC2\xB7 column" : "W_down[row, col]";
    }
    HeatmapHover hv = hm.draw(is_up ? "W_up" : "W_down", size, st);
    if (hv.hovered) {
        int cell = is_up ? hv.row : hv.col;
        char buf[300];
        std::string other = is_up ? st.col_name(hv.col) : st.row_name(hv.row);
        std::snprintf(buf, sizeof buf, "%s[%d, %d] = %+.4f: %s, %s", is_up ? "W_up" : "W_down", hv.row * (is_up ? fn : fo),
                      hv.col * (is_up ? fo : fn), hv.value, neuron_name(cell).c_str(), other.c_str());
        V.readout = buf;
        if (hv.clicked) a.state.set_int("neuron", cell * fn);
    }
    HeatmapLegend(hm.color_range(st), st.scale, size.x);
}

void draw_weights(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    WeightsView& V = a.ext<WeightsView>();
    if (m.mlp.hidden() == 0) { ui::Note("No model."); return; }
    bool named = a.state.get("wbasis", "named") != "raw";
    std::string sel = a.state.get("wsel", "both");
    float W = ImGui::GetContentRegionAvail().x;
    bool side = W >= ui::Em(30);

    if (ctx.controls) {
        ui::Caption(named ? "Each neuron's W_up row read on the token directions, and its W_down column read on the object "
                            "directions. Hover a cell; click to inspect its neuron; scroll or +/\xE2\x88\x92 to zoom."
                          : "The raw matrices. Residual dimensions mean nothing alone (the named directions are random), "
                            "so this looks like noise: switch to named directions to see the structure.");
        int b = named ? 1 : 0;
        ui::Flow f;
        f.next(ImGui::CalcTextSize("Read:").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("Read:");
        f.next(ImGui::CalcTextSize("named directions").x + ImGui::GetFrameHeight() * 2);
        if (ImGui::RadioButton("named directions", &b, 1)) a.state.set("wbasis", "named");
        f.next(ImGui::CalcTextSize("raw").x + ImGui::GetFrameHeight() * 2);
        if (ImGui::RadioButton("raw", &b, 0)) a.state.set("wbasis", "raw");
        if (!side) {   // one matrix at a time on a phone, on its own line
            int s = sel == "down" ? 1 : 0;
            f.first = true;
            f.next(ImGui::CalcTextSize("Show:").x);
            ImGui::AlignTextToFramePadding();
            ImGui::TextDisabled("Show:");
            f.next(ImGui::CalcTextSize("W_down").x + ImGui::GetFrameHeight() * 2);
            if (ImGui::RadioButton("W_up", &s, 0)) a.state.set("wsel", "up");
            f.next(ImGui::CalcTextSize("W_down").x + ImGui::GetFrameHeight() * 2);
            if (ImGui::RadioButton("W_down", &s, 1)) a.state.set("wsel", "down");
            sel = s ? "down" : "up";
        }
        f.next(ImGui::CalcTextSize("Zoom:").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("Zoom:");
        if (f.button("+")) { V.up.zoom_by(2); V.down.zoom_by(2); }
        if (f.button("\xE2\x88\x92")) { V.up.zoom_by(0.5f); V.down.zoom_by(0.5f); }
        if (V.up.zoomed() || V.down.zoomed())
            if (f.button("Reset zoom")) { V.up.reset_zoom(); V.down.reset_zoom(); }
    } else if (!side && sel == "both") {
        sel = "up";
    }
    if (side && sel != "up" && sel != "down") sel = "both";
    if (!side && sel == "both") sel = "up";

    if (named && V.named_version != a.model_version()) {
        const Mat tokens_t = m.tokens.transpose();                     // (d, T)
        bounded_product(m.mlp.W_up, tokens_t, &V.named_up);            // (h, d)·(d, T) = (h, T)
        bounded_product(m.objects, m.mlp.W_down, &V.named_down);       // (O, d)·(d, h) = (O, h)
        V.named_version = a.model_version();
    }

    int neuron = ui::current_neuron(a);
    float legend = ImGui::GetFontSize() * 1.75f + ImGui::GetStyle().ItemSpacing.y;
    float title = ImGui::GetTextLineHeightWithSpacing() * 2;
    float readout = ImGui::GetTextLineHeightWithSpacing() * 2;
    float avail_h = ImGui::GetContentRegionAvail().y - legend - title - readout;
    bool both = sel == "both";
    float gap = ImGui::GetStyle().ItemSpacing.x * 2;
    float w = both ? (W - gap) / 2 : W;
    float hgt = std::clamp(avail_h, ui::Em(8), std::max(ui::Em(8), w * 2.0f));
    if (both) {
        ImGui::BeginGroup();
        draw_one(a, V, true, named, ImVec2(w, hgt), neuron);
        ImGui::EndGroup();
        ImGui::SameLine(0, gap);
        ImGui::BeginGroup();
        draw_one(a, V, false, named, ImVec2(w, hgt), neuron);
        ImGui::EndGroup();
    } else {
        draw_one(a, V, sel != "down", named, ImVec2(w, hgt), neuron);
    }
    ImGui::PushTextWrapPos(0.0f);
    if (V.readout.empty()) ImGui::TextDisabled("Hover (or tap) a cell to read its value.");
    else ImGui::TextUnformatted(V.readout.c_str());
    ImGui::PopTextWrapPos();
}

ViewRegistrar reg({"weights", "Weights", "facts", 50, 520.0f, draw_weights,
                   "The weight matrices W_up and W_down as heatmaps: raw, or read on the named token and object directions."});

}  // namespace
}  // namespace factlab
