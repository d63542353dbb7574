// view_ablation.cpp: switch neurons off and see which facts break.
//
// A neuron grid (one cell per neuron; click toggles) for the compiled or the
// learned model, a shortcut that switches off the k neurons a subject leans on
// most, and the facts that break. In the compiled model a neuron holds exactly
// one subject's facts; in the learned model switching one off nudges many
// subjects a little, and facts break only when several of their neurons go.
//
// URL state: ab_model (0 compiled, 1 learned), ab_off (ablated neurons as ranges,
// "3,7-9"), ab_subject, ab_k.
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/capacity/caplab.hpp"
#include "ui/capacity/csv_export.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

// "3,7-9" <-> {3, 7, 8, 9} (bounded by h).
std::vector<unsigned char> parse_mask(const std::string& text, int h) {
    std::vector<unsigned char> mask(size_t(std::max(h, 0)), 0);
    size_t i = 0;
    while (i < text.size()) {
        size_t j = text.find(',', i);
        if (j == std::string::npos) j = text.size();
        int lo = 0, hi = 0;
        std::string item = text.substr(i, j - i);
        int n = std::sscanf(item.c_str(), "%d-%d", &lo, &hi);
        if (n == 1) hi = lo;
        if (n >= 1)
            for (int k = std::max(0, lo); k <= std::min(hi, h - 1); ++k) mask[size_t(k)] = 1;
        i = j + 1;
    }
    return mask;
}

std::string mask_text(const std::vector<unsigned char>& mask) {
    std::string s;
    int n = int(mask.size());
    for (int i = 0; i < n;) {
        if (!mask[size_t(i)]) { ++i; continue; }
        int j = i;
        while (j + 1 < n && mask[size_t(j + 1)]) ++j;
        if (!s.empty()) s += ",";
        s += std::to_string(i);
        if (j > i) s += "-" + std::to_string(j);
        i = j + 1;
    }
    return s;
}

struct AblationCache {
    std::string key;
    FactSet sub;                    // the facts evaluated when all would cost too much (else empty)
    int subjects_evaluated = 0;
    EvalResult base, ablated;
    std::vector<BrokenFact> broken;     // facts right without ablation, wrong with it
    int fixed = 0;                  // facts wrong without ablation, right with it
    std::string mask;
    double made_ms = 0;
    double cost_ms = 0;             // what the last evaluation took: a large set waits longer
} g_cache;

void draw_ablation(App& a, const ViewCtx& ctx) {
    caplab_tick(a);
    float fs = ImGui::GetFontSize();
    int kind = int(a.state.get_int("ab_model", kLearned, 0, 1));
    const Model& m = caplab_model(a, kind);
    const int h = m.mlp.hidden();
    const FactSet& facts = a.facts;
    if (h == 0 || facts.facts.empty()) {
        lab::note(kind == kLearned ? "The learned model is not ready (see Learning the facts)." : "No facts loaded.");
        if (ImGui::RadioButton("compiled", kind == kCompiled)) a.state.set_int("ab_model", kCompiled);
        return;
    }
    std::vector<unsigned char> mask = parse_mask(a.state.get("ab_off"), h);
    auto store = [&]() {
        if (!a.state.set("ab_off", mask_text(mask)))
            a.toast("Too many separate neurons to keep in the link; the last change was not kept.", true);
    };

    if (ctx.controls) {
        lab::caption("Switch neurons off and see which facts break. Compiled: one neuron, one subject. "
                     "Learned: each fact is spread over several neurons.");
        if (ImGui::RadioButton("compiled", kind == kCompiled)) { a.state.set_int("ab_model", kCompiled); a.state.erase("ab_off"); }
        ImGui::SameLine();
        if (ImGui::RadioButton("learned", kind == kLearned)) { a.state.set_int("ab_model", kLearned); a.state.erase("ab_off"); }
        lab::same_line_if_fits(lab::button_width("Switch all on"));
        if (ImGui::Button("Switch all on")) { a.state.erase("ab_off"); mask.assign(mask.size(), 0); }

        // Top-k for one subject: the neurons with the largest activation for it.
        std::string subj = a.state.get("ab_subject", a.subject());
        int sid = facts.subject_id(subj);
        if (sid < 0 && !facts.subjects.empty()) { sid = 0; subj = facts.subjects[0]; }
        int k = int(a.state.get_int("ab_k", 1, 1, 16));
        if (lab::begin_controls("abk")) {
            lab::next_control();
            ImGui::SetNextItemWidth(-ImGui::CalcTextSize("subject").x - ImGui::GetStyle().ItemInnerSpacing.x);
            if (ImGui::BeginCombo("subject", subj.c_str(), ImGuiComboFlags_HeightLarge)) {
                ImGuiListClipper clip;                    // 20,000 subjects: draw only the visible ones
                clip.Begin(int(facts.subjects.size()));
                while (clip.Step())
                    for (int s = clip.DisplayStart; s < clip.DisplayEnd; ++s)
                        if (ImGui::Selectable(facts.subjects[size_t(s)].c_str(), s == sid)) a.state.set("ab_subject", facts.subjects[size_t(s)]);
                ImGui::EndCombo();
            }
            lab::slider_int(a, "top k", "ab_k", 1, 1, 16);
            lab::end_controls();
        }
        char label[64];
        std::snprintf(label, sizeof label, "Switch off its top %d", k);
        if (sid >= 0 && ImGui::Button(label)) {
            const Activations& act = caplab_activations(a, kind);
            // A subject past the activations the page keeps (caplab.hpp): its own key.
            Vec key_col = sid < act.H.cols() ? Vec(act.H.col(sid)) : subject_key(m.mlp, lookup(m, subj).trace.E);   // (h)
            {
                std::vector<std::pair<float, int>> order;
                for (int j = 0; j < key_col.size(); ++j) order.push_back({key_col[j], j});
                std::sort(order.begin(), order.end(), [](auto& x, auto& y) { return x.first > y.first; });
                for (int i = 0; i < k && i < int(order.size()); ++i)
                    if (order[size_t(i)].first > 0) mask[size_t(order[size_t(i)].second)] = 1;
                store();
            }
        }
    }

    // The neuron grid: one cell per neuron, off = vermilion. Hover names the
    // subject it fires for most.
    const Activations& act = caplab_activations(a, kind);
    const int grid = std::min(h, kMaxGridNeurons);      // cells drawn (ImGui's 16-bit vertex indices)
    if (grid < h)
        ui::Note("The grid shows the first %d of the %d neurons; a link's ab_off and \"Switch off its top k\" reach all of them.",
                 grid, h);
    float avail = ImGui::GetContentRegionAvail().x;
    float cell = std::max(fs * 0.75f, std::min(fs * 1.4f, std::floor(avail / std::max(1.0f, std::ceil(std::sqrt(float(grid) * 3))))));
    int per_row = std::max(1, int(avail / cell));
    int rows = (grid + per_row - 1) / per_row;
    ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("grid", ImVec2(std::max(1.0f, per_row * cell), std::max(1.0f, rows * cell)));
    bool hov = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    int hovered = -1;
    for (int j = 0; j < grid; ++j) {
        float x = p.x + (j % per_row) * cell, y = p.y + (j / per_row) * cell;
        ImVec2 a0(x + 1, y + 1), a1(x + cell - 1, y + cell - 1);
        ImU32 col = mask[size_t(j)] ? theme::silent() : theme::with_alpha(theme::firing(), 0.55f);
        dl->AddRectFilled(a0, a1, col, 2.0f);
        ImVec2 mp = ImGui::GetIO().MousePos;
        if (hov && mp.x >= x && mp.x < x + cell && mp.y >= y && mp.y < y + cell) {
            hovered = j;
            dl->AddRect(a0, a1, theme::text(), 2.0f, 0, 2.0f);
        }
    }
    if (hovered >= 0) {
        int best = -1;
        if (hovered < act.H.rows() && act.H.cols() > 0) act.H.row(hovered).maxCoeff(&best);
        ui::Tooltip("neuron %d (%s)\nfires most for %s\nclick to switch %s", hovered, mask[size_t(hovered)] ? "off" : "on",
                          best >= 0 ? facts.subjects[size_t(best)].c_str() : "nobody", mask[size_t(hovered)] ? "on" : "off");
        if (ImGui::IsItemClicked()) {
            mask[size_t(hovered)] ^= 1;
            store();
        }
    }

    // Facts that break (cached by model weights and mask).
    // While the learned model trains, re-evaluate at most twice a second.
    std::string key = std::to_string(caplab_model_key(a, kind)) + "|" + mask_text(mask);
    double now = platform::now_ms();
    bool training = kind == kLearned && caplab(a).playing && g_cache.mask == mask_text(mask) && !g_cache.key.empty();
    if (key != g_cache.key && !(training && now - g_cache.made_ms < std::max(500.0, 10 * g_cache.cost_ms))) {
        g_cache = AblationCache{};
        g_cache.key = key;
        g_cache.mask = mask_text(mask);
        g_cache.made_ms = now;
        // Twice every subject's forward pass and logits: past kMaxWork, the facts of the first subjects only.
        const int n = int(facts.subjects.size());
        const double per = 2.0 * (2.0 * h * m.d() + double(m.objects.rows()) * m.d());
        const int bound = caplab_subject_bound(1, per);
        g_cache.subjects_evaluated = std::min(n, bound);
        if (bound < n) {
            std::vector<Fact> keep;
            for (size_t f = 0; f < facts.facts.size(); ++f)
                if (facts.fact_subject[f] < bound) keep.push_back(facts.facts[f]);
            g_cache.sub = make_fact_set(std::move(keep));
        }
        const FactSet& ev = bound < n ? g_cache.sub : facts;
        g_cache.base = evaluate(m, ev);
        g_cache.ablated = evaluate(m, ev, &mask);
        std::vector<unsigned char> wrong_base(ev.facts.size(), 0);
        for (int f : g_cache.base.wrong) wrong_base[size_t(f)] = 1;
        std::vector<unsigned char> wrong_now(ev.facts.size(), 0);
        for (int f : g_cache.ablated.wrong) {
            wrong_now[size_t(f)] = 1;
            if (wrong_base[size_t(f)] || g_cache.broken.size() >= 200) continue;
            const Fact& F = ev.facts[size_t(f)];
            LookupResult r = lookup(m, F.subject, &mask);
            std::string now = "?";
            for (const RelationAnswer& ans : r.answers)
                if (ans.relation >= 0 && size_t(ans.relation) < m.vocab.relations.size() &&
                    m.vocab.relations[size_t(ans.relation)] == F.relation && !ans.ranking.empty())
                    now = m.vocab.objects[size_t(ans.ranking[0].object)];
            g_cache.broken.push_back({f, now});
        }
        for (int f : g_cache.base.wrong) g_cache.fixed += !wrong_now[size_t(f)];
        g_cache.cost_ms = platform::now_ms() - now;
    }
    const FactSet& ev = g_cache.sub.facts.empty() ? facts : g_cache.sub;
    int off = int(std::count(mask.begin(), mask.end(), 1));
    int broken_total = 0;
    {
        std::vector<unsigned char> wb(ev.facts.size(), 0);
        for (int f : g_cache.base.wrong) wb[size_t(f)] = 1;
        for (int f : g_cache.ablated.wrong) broken_total += !wb[size_t(f)];
    }
    ImGui::Text("%d of %d neurons off · accuracy %s → %s", off, h, lab::pct_text(g_cache.base.accuracy()).c_str(),
                lab::pct_text(g_cache.ablated.accuracy()).c_str());
    if (g_cache.subjects_evaluated < int(facts.subjects.size()))
        ui::Note("Measured on the facts of the first %d of %d subjects: all of them would take more than the page "
                 "computes at once.", g_cache.subjects_evaluated, int(facts.subjects.size()));
    if (broken_total == 0) {
        lab::caption(off ? "No fact broke." : "Click neurons to switch them off.");
    } else {
        lab::text_wrapped_colored(theme::wrong_ink(), "%d fact%s broke:", broken_total, broken_total == 1 ? "" : "s");
        float list_h = std::max(fs * 4, ImGui::GetContentRegionAvail().y - fs * 0.5f);
        const bool scroll = !a.figure;                   // a figure embed shows the whole list (figure.hpp)
        if (scroll) ImGui::BeginChild("broken", ImVec2(0, list_h), false);
        for (const BrokenFact& b : g_cache.broken) {
            const Fact& F = ev.facts[size_t(b.fact)];
            lab::text_wrapped_colored(0, "%s, %s: %s → %s", F.subject.c_str(), F.relation.c_str(), F.object.c_str(), b.now.c_str());
        }
        if (broken_total > int(g_cache.broken.size())) ImGui::TextDisabled("and %d more", broken_total - int(g_cache.broken.size()));
        if (scroll) ImGui::EndChild();
    }
    if (g_cache.fixed > 0) ImGui::TextDisabled("%d fact%s wrong before are right now.", g_cache.fixed, g_cache.fixed == 1 ? "" : "s");

    a.offer_export("Broken facts (CSV)", "factlab-ablation.csv", "text/csv",
                   [&a]() { return ablation_csv(g_cache.sub.facts.empty() ? a.facts : g_cache.sub, g_cache.broken); });
}

ViewRegistrar reg({"ablation", "Switch neurons off", "capacity", 50, 560.0f, draw_ablation,
                   "Ablation: switch neurons off and see which facts break, in the compiled and the learned model."});

}  // namespace
}  // namespace factlab
