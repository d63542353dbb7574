// view_edit.cpp: rewrite one fact, as the ROME paper does, and see what else moved.
//
// Pick a subject, a relation and a new object (default: Michael Jordan → baseball;
// he did play it, in 1994). Four edits run side by side on copies of the models:
//                 ROME (rank-one, key covariance)     naive (overwrite one column)
//   compiled      exact, touches nothing else          exact too: one neuron per subject
//   learned       the key spreads over many neurons;   that neuron serves many
//                 C⁻¹ steers the change off others     subjects: collateral damage
// Each cell shows whether the edit took, and accuracy on every other fact; a
// selected cell shows before/after for the fact, its near misses (subjects
// sharing a word in the same role) and every fact that flipped. The models themselves are not
// changed: Reset simply drops the edits.
//
// URL state: ed_subject, ed_relation, ed_object, ed_on (edits applied), ed_cell (0..3).
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/capacity/caplab.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

const EditMethod kMethods[2] = {EditMethod::Rome, EditMethod::Column};
const char* const kMethodNames[2] = {"ROME (along C⁻¹k*)", "one column"};

struct EditCache {
    std::string key[4];
    EditReport report[4];          // cell = model kind * 2 + method
    double made_ms[4] = {0, 0, 0, 0};
    double cost_ms[4] = {0, 0, 0, 0};  // what the last edit took: a large set waits longer
} g_edits;

// A combo over names; returns true and sets *out when the choice changes.
bool name_combo(const char* label, const std::string& cur, const std::vector<std::string>& names, std::string* out) {
    bool changed = false;
    lab::next_control();
    ImGui::SetNextItemWidth(-ImGui::CalcTextSize(label).x - ImGui::GetStyle().ItemInnerSpacing.x);
    if (ImGui::BeginCombo(label, cur.c_str(), ImGuiComboFlags_HeightLarge)) {
        ImGuiListClipper clip;                        // 20,000 subjects: draw only the visible ones
        clip.Begin(int(names.size()));
        while (clip.Step())
            for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i)
                if (ImGui::Selectable(names[size_t(i)].c_str(), names[size_t(i)] == cur)) { *out = names[size_t(i)]; changed = true; }
        ImGui::EndCombo();
    }
    return changed;
}

const EditReport& edit_for(App& a, int cell, const EditRequest& base) {
    int kind = cell / 2;
    EditRequest req = base;
    req.method = kMethods[cell % 2];
    std::string key = std::to_string(caplab_model_key(a, kind)) + "|" + std::to_string(a.facts_version) + "|" +
                      req.subject + "|" + req.relation + "|" + req.object;
    // While the learned model trains its weights change every frame: redo its
    // edits at most twice a second (each one evaluates every fact twice).
    double now = platform::now_ms();
    bool training = kind == kLearned && caplab(a).playing && !g_edits.key[cell].empty();
    if (key != g_edits.key[cell] && !(training && now - g_edits.made_ms[cell] < std::max(500.0, 10 * g_edits.cost_ms[cell]))) {
        g_edits.made_ms[cell] = now;
        Model edited;
        const Model& m = caplab_model(a, kind);
        if (m.mlp.hidden() == 0) {
            g_edits.report[cell] = EditReport{};
            g_edits.report[cell].error = "the learned model is not ready";
        } else {
            // Bounded (caplab.hpp): ROME's covariance is factorised once per model, and the
            // facts compared before and after stop at what the page computes at once.
            const double per = 2.0 * (2.0 * m.mlp.hidden() * m.d() + double(m.objects.rows()) * m.d());
            req.max_eval_subjects = caplab_subject_bound(1, per);
            if (req.max_eval_subjects >= int(a.facts.subjects.size())) req.max_eval_subjects = 0;
            std::string why;
            const KeyCovariance* cov = req.method == EditMethod::Rome ? caplab_covariance(a, kind, req.ridge, &why) : nullptr;
            if (req.method == EditMethod::Rome && !cov) {
                g_edits.report[cell] = EditReport{};
                g_edits.report[cell].error = why.empty() ? "the key covariance could not be made" : why;
            } else {
                g_edits.report[cell] = edit_fact(m, a.facts, req, &edited, cov);
            }
        }
        g_edits.key[cell] = key;
        g_edits.cost_ms[cell] = platform::now_ms() - now;
    }
    return g_edits.report[cell];
}

void change_line(const FactChange& c) {
    ImU32 col = c.correct_after ? theme::answer_ink() : theme::wrong_ink();
    lab::text_wrapped_colored(col, "%s %s, %s: %s → %s (stored: %s)", c.correct_after ? "✓" : "✗", c.subject.c_str(),
                              c.relation.c_str(), c.answer_before.c_str(), c.answer_after.c_str(), c.object.c_str());
}

void draw_cell(const EditReport& r) {
    if (!r.ok) {
        lab::text_wrapped_colored(theme::wrong_ink(), "%s", r.error.c_str());
        return;
    }
    if (r.edited_correct)
        lab::text_wrapped_colored(theme::answer_ink(), "✓ now %s (p %.2f)", r.new_object.c_str(), double(r.probability_after));
    else
        lab::text_wrapped_colored(theme::wrong_ink(), "✗ still %s", r.old_object.c_str());
    ImGui::Text("others %s → %s", lab::pct_text(r.others_accuracy_before(), 0).c_str(),
                lab::pct_text(r.others_accuracy_after(), 1).c_str());
    int nm_broken = 0;
    for (const FactChange& c : r.near_misses) nm_broken += c.correct_before && !c.correct_after;
    ImGui::TextDisabled("near misses broken: %d/%d", nm_broken, int(r.near_misses.size()));
}

void draw_edit(App& a, const ViewCtx& ctx) {
    caplab_tick(a);
    float fs = ImGui::GetFontSize();
    const FactSet& facts = a.facts;
    std::string subject = a.state.get("ed_subject", "Michael Jordan");
    if (facts.subject_id(subject) < 0 && !facts.subjects.empty()) subject = facts.subjects[0];
    std::string relation = a.state.get("ed_relation", "sport");
    if (facts.relation_id(relation) < 0 && !facts.relations.empty()) relation = facts.relations[0];
    int rid = facts.relation_id(relation);
    std::vector<std::string> objects;
    if (rid >= 0)
        for (int o : facts.candidates[size_t(rid)]) objects.push_back(facts.objects[size_t(o)]);
    std::string object = a.state.get("ed_object", "baseball");
    if (std::find(objects.begin(), objects.end(), object) == objects.end() && !objects.empty()) object = objects[0];
    bool on = a.state.get_bool("ed_on", true);
    int cell = int(a.state.get_int("ed_cell", 2, 0, 3));

    int sid = facts.subject_id(subject);
    int old_obj = sid >= 0 && rid >= 0 ? facts.object_of(sid, rid) : -1;
    if (ctx.controls) {
        lab::caption("Rewrite one fact by adding a rank-one matrix to W_down. ROME's points along C⁻¹k* (k*: the "
                     "subject's key, its neurons' activations; C: the covariance of every subject's key), which spares "
                     "the other keys; the one-column edit changes only the subject's most active neuron. What else moves?");
        if (lab::begin_controls("edit")) {
            std::string v;
            if (name_combo("subject", subject, facts.subjects, &v)) a.state.set("ed_subject", v);
            if (name_combo("relation", relation, facts.relations, &v)) a.state.set("ed_relation", v);
            if (name_combo("new object", object, objects, &v)) a.state.set("ed_object", v);
            lab::end_controls();
        }
        if (lab::row_button(on ? "Edits applied" : "Apply edit", true)) a.state.set_bool("ed_on", true);
        if (lab::row_button("Reset")) {
            a.state.set_bool("ed_on", false);
            for (auto& k : g_edits.key) k.clear();
        }
        if (lab::row_button("Michael Jordan → baseball")) {
            a.state.set("ed_subject", "Michael Jordan");
            a.state.set("ed_relation", "sport");
            a.state.set("ed_object", "baseball");
            a.state.set_bool("ed_on", true);
        }
    }
    ImGui::Text("Stored: %s, %s = %s", subject.c_str(), relation.c_str(),
                old_obj >= 0 ? facts.objects[size_t(old_obj)].c_str() : "(no such fact: the edit adds one)");
    if (!on) {
        lab::note("No edit applied: both models answer as stored. Press Apply edit.");
        return;
    }

    EditRequest req;
    req.subject = subject;
    req.relation = relation;
    req.object = object;
    const EditReport* reps[4];
    for (int c = 0; c < 4; ++c) reps[c] = &edit_for(a, c, req);

    // The 2 × 2 comparison (a list at phone width); click a cell for its details.
    auto cell_block = [&](int c) {
        ImGui::PushID(c);
        ImVec2 p0 = ImGui::GetCursorScreenPos();
        ImGui::BeginGroup();
        draw_cell(*reps[c]);
        ImGui::EndGroup();
        ImVec2 p1 = ImGui::GetItemRectMax();
        if (c == cell)
            ImGui::GetWindowDrawList()->AddRect(ImVec2(p0.x - 2, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), theme::focus(), 3, 0, 2);
        if (ImGui::IsItemClicked()) a.state.set_int("ed_cell", c);
        if (ImGui::IsItemHovered()) ui::Tooltip("Show the details of this edit");
        ImGui::PopID();
    };
    if (ImGui::GetContentRegionAvail().x < fs * 30) {
        for (int c = 0; c < 4; ++c) {
            ImGui::TextDisabled("%s model, %s", model_kind_name(c / 2), kMethodNames[c % 2]);
            ImGui::Indent(fs * 0.6f);
            cell_block(c);
            ImGui::Unindent(fs * 0.6f);
        }
    } else if (ImGui::BeginTable("cells", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, fs * 5.5f);
        ImGui::TableSetupColumn(kMethodNames[0]);
        ImGui::TableSetupColumn(kMethodNames[1]);
        ImGui::TableHeadersRow();
        for (int kind = 0; kind < 2; ++kind) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(model_kind_name(kind));
            for (int m = 0; m < 2; ++m) {
                ImGui::TableNextColumn();
                cell_block(kind * 2 + m);
            }
        }
        ImGui::EndTable();
    }

    const EditReport& r = *reps[cell];
    ImGui::Text("Details: %s model, %s", model_kind_name(cell / 2), kMethodNames[cell % 2]);
    if (!r.ok) return;
    const bool scroll = !a.figure;                       // a figure embed shows all the details (figure.hpp)
    if (scroll) ImGui::BeginChild("details", ImVec2(0, std::max(fs * 6, ImGui::GetContentRegionAvail().y)), false);
    lab::text_wrapped_colored(r.edited_correct ? theme::answer_ink() : theme::wrong_ink(),
                              "%s, %s: %s → %s (p(%s) %.2f → %.2f; lead over the runner-up %.2f logits)", subject.c_str(), relation.c_str(),
                              r.old_object.c_str(), r.edited_correct ? r.new_object.c_str() : r.old_object.c_str(),
                              r.new_object.c_str(), double(r.probability_before), double(r.probability_after),
                              double(r.margin_after));
    char buf[200];
    if (r.method == EditMethod::Column)
        std::snprintf(buf, sizeof buf, "Rank-one, along one neuron: changed only neuron %d's W_down column; |ΔW_down| = %.3f.", r.neuron, double(r.update_norm));
    else
        std::snprintf(buf, sizeof buf, "Rank-one, along C⁻¹k*: |ΔW_down| = %.3f; the key k* (the subject's neuron activations) has length %.3f.", double(r.update_norm),
                      double(r.key_norm));
    lab::caption(buf);
    ImGui::Text("Every other fact: %s → %s (%d of %d right after)", lab::pct_text(r.others_accuracy_before()).c_str(),
                lab::pct_text(r.others_accuracy_after()).c_str(), r.others_correct_after, r.others);
    if (r.subjects_evaluated < r.subjects_total)
        ui::Note("Compared on %d of %d subjects (this one, those sharing a name token, then the first ones): all of "
                 "them would take more than the page computes at once.", r.subjects_evaluated, r.subjects_total);
    if (!r.same_subject.empty()) {
        ImGui::TextDisabled("The subject's other facts");
        for (const FactChange& c : r.same_subject) change_line(c);
    }
    ImGui::TextDisabled("Near misses (share a name in the same role): %d", int(r.near_misses.size()));
    for (size_t i = 0; i < r.near_misses.size() && i < 40; ++i) change_line(r.near_misses[i]);
    int flipped_other = 0;
    for (const FactChange& c : r.flipped) flipped_other += c.subject != subject;
    ImGui::TextDisabled("Facts that flipped elsewhere: %d", flipped_other);
    int listed = 0;
    for (const FactChange& c : r.flipped)
        if (c.subject != subject && listed++ < 200) change_line(c);
    if (listed > 200) ImGui::TextDisabled("and %d more", listed - 200);
    if (scroll) ImGui::EndChild();

    a.offer_export("Edit comparison (CSV)", "factlab-edit.csv", "text/csv", [reps]() {
        std::string s = "model,method,edited_correct,p_before,p_after,others_accuracy_before,others_accuracy_after,near_misses,flipped\n";
        char line[256];
        for (int c = 0; c < 4; ++c) {
            const EditReport& e = *reps[c];
            std::snprintf(line, sizeof line, "%s,%s,%d,%.4g,%.4g,%.6g,%.6g,%d,%d\n", model_kind_name(c / 2),
                          edit_method_name(kMethods[c % 2]), int(e.edited_correct), double(e.probability_before),
                          double(e.probability_after), e.others_accuracy_before(), e.others_accuracy_after(),
                          int(e.near_misses.size()), int(e.flipped.size()));
            s += line;
        }
        return s;
    });
}

ViewRegistrar reg({"edit", "Rewrite a fact", "capacity", 60, 640.0f, draw_edit,
                   "Two rank-one edits of W_down, ROME's (along C⁻¹k*) and one neuron's column, on the compiled and the learned model."});

}  // namespace
}  // namespace factlab
