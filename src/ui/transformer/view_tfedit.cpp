// view_tfedit.cpp: "Rewrite a fact in the transformer": ROME (Meng et al. 2022) on the
// lab's transformer, beside the naive fine-tune with the same budget (src/core/gpt/rome.hpp).
//
// Pick a subject of the model's facts, a relation and a new object. Both edits are computed
// from the trained model, a slice per frame (a progress bar; the page keeps drawing; the key
// covariance C is kept per layer, so the next edit at that layer is quicker): ROME writes a
// rank-one update into one layer's W_down (the layer the causal trace picks, or tf_edit_layer),
// the fine-tune takes Adam steps on all of that W_down on the edit sentence. Side by side:
// efficacy, paraphrase and specificity (src/core/gpt/edit_eval.hpp). The chosen edit then
// becomes the lab's model (every view of the lab, and factlab.gpt, read it) until "Reset to
// the trained model"; the prompt box under the table tries it.
//
// State: tf_edit_subject, tf_edit_relation, tf_edit_object, tf_edit_method (rome | finetune;
// absent: no edit applied, the trained model), tf_edit_layer (absent: by the trace), and the
// lab's tf_prompt for the prompt box.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <imgui.h>
#include "core/gpt/rome.hpp"
#include "platform/platform.hpp"
#include "ui/common/app.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/slice.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

struct Request {
    bool ok = false;
    std::string error;                  // why the state's request cannot run
    std::string subject, relation, object, old_object, method;   // method "" (none), "rome", "finetune"
    int layer = -1;                     // -1: by the trace
    std::vector<std::string> objects;   // the relation's objects (the combo), the stored one left out
};

struct EditView {
    // The lab's model before any edit (the trained one), so reset can put it back.
    bool have_base = false;
    GptWeights base_w;
    std::string base_name;
    unsigned base_version = ~0u, applied_version = ~0u;
    std::string applied;                // key + method of the edit the lab's model holds, "" for none
    // The edit being computed or computed.
    GptEditJob job;
    std::string key;                    // base version / subject / relation / object / layer
    bool running = false, ready = false;
    std::string error;
    std::vector<GptKeyCovariance> covariances;   // per layer, of the base model
    double work_ms = 0, started_ms = 0, wall_ms = 0;
    int frames = 0;
    Meter meter;
    int last_frame = -1;
};

const char* kMethods[2] = {"rome", "finetune"};

std::string trim_for_message(const std::string& s) {
    std::string t;
    for (char c : s) if (static_cast<unsigned char>(c) >= 0x20) t += c;
    return t.size() > 60 ? t.substr(0, 60) + "..." : t;
}

Request read_request(const App& a, const TfModel& m) {
    Request q;
    const FactSet& fs = m.facts;
    q.subject = a.state.get("tf_edit_subject", "Michael Jordan");
    q.relation = a.state.get("tf_edit_relation", "sport");
    q.method = a.state.get("tf_edit_method", "");
    q.layer = int(a.state.get_int("tf_edit_layer", -1, -1, m.w.config.n_layer - 1));
    const int sid = fs.subject_id(q.subject), rid = fs.relation_id(q.relation);
    if (rid >= 0)
        for (int o : fs.candidates[size_t(rid)]) q.objects.push_back(fs.objects[size_t(o)]);
    if (sid >= 0 && rid >= 0 && fs.object_of(sid, rid) >= 0) q.old_object = fs.objects[size_t(fs.object_of(sid, rid))];
    q.objects.erase(std::remove(q.objects.begin(), q.objects.end(), q.old_object), q.objects.end());
    std::string fallback = std::find(q.objects.begin(), q.objects.end(), "baseball") != q.objects.end() ? "baseball"
                           : q.objects.empty() ? "" : q.objects[0];
    q.object = a.state.get("tf_edit_object", fallback);
    if (q.method != "" && q.method != "rome" && q.method != "finetune") {
        q.error = "Unknown method \"" + trim_for_message(q.method) + "\": the link may say rome or finetune.";
        return q;
    }
    if (q.subject.empty()) { q.error = "Pick a subject: the model's facts have " + std::to_string(fs.subjects.size()) + "."; return q; }
    if (sid < 0) {
        q.error = "Unknown subject \"" + trim_for_message(q.subject) + "\": not one of the " + std::to_string(fs.subjects.size()) +
                  " subjects the model was trained on.";
        return q;
    }
    if (rid < 0) { q.error = "Unknown relation \"" + trim_for_message(q.relation) + "\": the facts have " + std::to_string(fs.relations.size()) + " relations."; return q; }
    if (q.old_object.empty()) { q.error = q.subject + " has no " + q.relation + " in the facts: pick another relation."; return q; }
    if (q.object == q.old_object) { q.error = q.object + " is already " + q.subject + "'s " + q.relation + ": pick another object."; return q; }
    if (std::find(q.objects.begin(), q.objects.end(), q.object) == q.objects.end()) {
        q.error = "Unknown object \"" + trim_for_message(q.object) + "\": pick one of the " + std::to_string(q.objects.size()) +
                  " other " + q.relation + " objects of the facts.";
        return q;
    }
    q.ok = true;
    return q;
}

std::string edit_key(const EditView& V, const Request& q) {
    return std::to_string(V.base_version) + "/" + q.subject + "/" + q.relation + "/" + q.object + "/" + std::to_string(q.layer);
}

// The lab's model becomes the base, the ROME edit or the fine-tune (key "" + "": the base).
void apply(App& a, EditView& V, const std::string& want, const Request& q) {
    if (want == V.applied) return;
    TfModel& m = tflab(a).model;
    const GptEditResult& r = V.job.result();
    if (want.empty()) {
        const bool current = V.key == edit_key(V, q);
        m.w = V.base_w;
        m.name = V.base_name;
        ++m.version;
        V.base_version = m.version;
        if (current) V.key = edit_key(V, q);   // the base's version moved, its weights did not: the result holds
        V.applied_version = ~0u;
    } else {
        const bool rome = q.method == "rome";
        m.w = rome ? r.rome.weights : r.finetune.weights;
        char buf[300];
        std::snprintf(buf, sizeof buf, "%s, edited by %s at layer %d (%s, %s: %s \xE2\x86\x92 %s)", V.base_name.c_str(),
                      rome ? "ROME" : "the fine-tune", r.layer, r.subject.c_str(), r.relation.c_str(), r.old_object.c_str(),
                      r.new_object.c_str());
        m.name = buf;
        ++m.version;
        V.applied_version = m.version;
    }
    V.applied = want;
}

void run_slice(EditView& V) {
    if (!V.running) return;
    platform::keep_awake();                          // work in frames: the page must keep drawing
    Budget b(V.meter.budget());
    int units = 0;
    std::string err;
    while (!b.over() && !V.job.done()) {
        if (!V.job.step(&err)) { V.error = err; break; }
        ++units;
    }
    V.work_ms += b.elapsed();
    ++V.frames;
    V.meter.add(units, b.elapsed());
    if (V.job.done()) {
        V.running = false;
        V.ready = !V.job.failed();
        V.wall_ms = platform::now_ms() - V.started_ms;
        if (V.ready) {
            const GptKeyCovariance& c = V.job.covariance();
            bool have = false;
            for (const GptKeyCovariance& k : V.covariances) have |= k.layer == c.layer;
            if (!have && c.positions > 0) V.covariances.push_back(c);
        }
    }
}

bool combo(const char* label, const std::string& cur, const std::vector<std::string>& names, float width, std::string* out) {
    bool changed = false;
    ImGui::SetNextItemWidth(width);
    if (ImGui::BeginCombo(label, cur.c_str(), ImGuiComboFlags_HeightLarge)) {
        ImGuiListClipper clip;
        clip.Begin(int(names.size()));
        while (clip.Step())
            for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i)
                if (ImGui::Selectable(names[size_t(i)].c_str(), names[size_t(i)] == cur)) { *out = names[size_t(i)]; changed = true; }
        ImGui::EndCombo();
    }
    return changed;
}

void controls(App& a, const TfModel& m, const Request& q, float width, bool narrow) {
    const FactSet& fs = m.facts;
    const float w = narrow ? width - ui::Em(6) : std::min(ui::Em(13), (width - ui::Em(12)) / 3);
    std::string v;
    ui::Flow f;
    f.next(w + ui::Em(3.5f));
    if (combo("subject", q.subject, fs.subjects, w, &v)) {
        a.state.set("tf_edit_subject", v);
        a.state.erase("tf_edit_object");   // the new subject's stored object may be the old choice
    }
    std::vector<std::string> rels;
    const int sid = fs.subject_id(q.subject);
    for (int r = 0; r < int(fs.relations.size()); ++r)
        if (sid >= 0 && fs.object_of(sid, r) >= 0) rels.push_back(fs.relations[size_t(r)]);
    f.next(w + ui::Em(3.5f));
    if (combo("relation", q.relation, rels, w, &v)) {
        a.state.set("tf_edit_relation", v);
        a.state.erase("tf_edit_object");
    }
    f.next(w + ui::Em(4.5f));
    if (combo("new object", q.object, q.objects, w, &v)) a.state.set("tf_edit_object", v);
    // The layer: by the trace, or one the reader picks.
    std::string cur = q.layer < 0 ? "layer: by the trace" : "layer " + std::to_string(q.layer);
    std::vector<std::string> layers = {"layer: by the trace"};
    for (int l = 0; l < m.w.config.n_layer; ++l) layers.push_back("layer " + std::to_string(l));
    f.next(ui::Em(10));
    if (combo("##layer", cur, layers, ui::Em(10), &v)) {
        if (v == layers[0]) a.state.erase("tf_edit_layer");
        else a.state.set_int("tf_edit_layer", std::atoi(v.c_str() + 6));
    }
    if (ImGui::IsItemHovered())
        ui::Tooltip("ROME edits the layer where causal tracing finds the MLP matters most at the subject's last word.");
    if (f.button("Edit with ROME")) a.state.set("tf_edit_method", "rome");
    if (f.button("Edit with the fine-tune")) a.state.set("tf_edit_method", "finetune");
    if (f.button("Reset to the trained model")) a.state.erase("tf_edit_method");
    if (f.button("Michael Jordan \xE2\x86\x92 golf")) {
        a.state.set("tf_edit_subject", "Michael Jordan");
        a.state.set("tf_edit_relation", "sport");
        a.state.set("tf_edit_object", "golf");
        if (!a.state.has("tf_edit_method")) a.state.set("tf_edit_method", "rome");
    }
    if (ImGui::IsItemHovered()) ui::Tooltip("An edit ROME fails at layer 0 of this model (docs/gpt.md).");
}

void results(App& a, EditView& V, const Request& q, float width, bool narrow) {
    const GptEditResult& r = V.job.result();
    char line[400];
    if (r.layer_by_trace && r.layer_effects.size() > 0) {
        std::string eff;
        for (size_t l = 0; l < r.layer_effects.size(); ++l) {
            char b[40];
            std::snprintf(b, sizeof b, "%s%.2f at layer %zu", l ? ", " : "", double(r.layer_effects[l]), l);
            eff += b;
        }
        const std::vector<std::string> words = gpt_split_words(r.subject);
        std::snprintf(line, sizeof line, "Layer %d, picked by the causal trace: restoring the MLP output at \"%s\" (the "
                      "subject's last word) in a noised run gives p(%s) %s.", r.layer, words.empty() ? "" : words.back().c_str(),
                      r.old_object.c_str(), eff.c_str());
    } else {
        std::snprintf(line, sizeof line, "Layer %d, as chosen (tf_edit_layer).", r.layer);
    }
    ui::Note("%s", line);
    const std::string& mth = q.method;
    const GptEditScores* sc[3] = {&r.before, &r.rome.scores, &r.finetune.scores};
    const char* heads[3] = {"trained", "ROME", "fine-tune"};
    auto in_use = [&](int c) { return (c == 0 && mth.empty()) || (c == 1 && mth == "rome") || (c == 2 && mth == "finetune"); };
    auto cell = [&](int row, int c) {
        const GptEditScores& s = *sc[c];
        char b[120];
        switch (row) {
        case 0:
            std::snprintf(b, sizeof b, "%s p %.2f", s.efficacy > 0.5f ? "\xE2\x9C\x93" : "\xE2\x9C\x97", double(s.p_edit));
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.efficacy > 0.5f ? theme::answer_ink() : theme::wrong_ink()), "%s", b);
            return;
        case 1:
            std::snprintf(b, sizeof b, "%d of %d, p %.2f", int(s.paraphrase * float(s.n_paraphrase) + 0.5f), s.n_paraphrase, double(s.p_paraphrase));
            break;
        case 2: {
            const double drop = std::fabs(s.specificity_drop) < 5e-4f ? 0.0 : double(s.specificity_drop);
            std::snprintf(b, sizeof b, "%.0f%%, drop %.3f", 100.0 * double(s.specificity), drop);
            break;
        }
        default:
            if (c == 0) std::snprintf(b, sizeof b, "-");
            else std::snprintf(b, sizeof b, "%d on %s", c == 1 ? r.rome.steps : r.finetune.steps, c == 1 ? "\xCE\xB4" : "W_down");
        }
        ImGui::TextUnformatted(b);
    };
    const char* rows[4] = {"efficacy", "paraphrase", "specificity", "Adam steps"};
    if (!narrow && width >= ui::Em(28) && ImGui::BeginTable("scores", 4, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 0.8f);
        for (int c = 0; c < 3; ++c) ImGui::TableSetupColumn(heads[c], ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        for (int c = 0; c < 3; ++c) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(heads[c]);
            if (in_use(c)) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::AccentText()), "the lab's model");
        }
        for (int row = 0; row < 4; ++row) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", rows[row]);
            for (int c = 0; c < 3; ++c) { ImGui::TableNextColumn(); cell(row, c); }
        }
        ImGui::EndTable();
    } else {
        for (int c = 0; c < 3; ++c) {
            ImGui::Text("%s%s", heads[c], in_use(c) ? " (the lab's model)" : "");
            ImGui::Indent(ui::Em(0.6f));
            for (int row = 0; row < 4; ++row) {
                if (c == 0 && row == 3) continue;
                ImGui::TextDisabled("%s", rows[row]);
                ImGui::SameLine();
                cell(row, c);
            }
            ImGui::Unindent(ui::Em(0.6f));
        }
    }
    ui::Note("ROME's change: one rank-one matrix, |\xCE\x94W_down| = %.2f.", double(r.update_norm));
    if (r.layer == V.base_w.config.n_layer - 1 && r.rome.scores.efficacy < 0.5f)
        ui::Note("At the last layer the subject's position reaches the answer through no later attention, so "
                 "no v* there can change the answer: ROME needs an earlier layer.");
    else if (r.rome.scores.efficacy < 0.5f)
        ui::Note("ROME did not take: with \xCE\xB4 at this one position, the best v* found leaves NLL %.2f for \"%s\" "
                 "(the rank-one write then gives %.2f). The fine-tune changes all of W_down and %s.",
                 double(r.v_loss), r.new_object.c_str(), double(r.rome.loss),
                 r.finetune.scores.efficacy >= 0.5f ? "takes" : "does not take either");
    std::string edit_prompt = gpt_templates(r.relation)[0].text;
    const size_t at = edit_prompt.find("{subject}");
    if (at != std::string::npos) edit_prompt.replace(at, 9, r.subject);
    ui::Note("Efficacy: is the greedy answer to \"%s\" now %s, and p(%s). Paraphrase: do the relation's other %d "
             "phrasings (the held-out one included) say it too. Specificity: of %d prompts about other subjects (%s's near misses, "
             "or else 10 others with the relation; every phrasing), the share that answer as before; the drop: mean p(their own "
             "object) before minus after. After CounterFact (Meng et al. 2022), which scores p(new) > p(true) per prompt "
             "and takes as neighbours subjects that share the true object; here greedy answers and neighbours by name.",
             edit_prompt.c_str(), r.new_object.c_str(), r.new_object.c_str(), r.rome.scores.n_paraphrase, r.rome.scores.n_specificity,
             r.subject.c_str());
    (void)a;
}

void draw_edit(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    EditView& V = a.ext<EditView>();
    const int frame = ImGui::GetFrameCount();
    if (V.last_frame != frame) { V.last_frame = frame; V.meter.tick(); }
    const TfModel& m = tflab_model(a);
    const float width = ImGui::GetContentRegionAvail().x;
    const bool narrow = ui::Narrow(ctx);
    if (ctx.controls)
        ui::Caption("Rewrite one fact inside the trained transformer. ROME adds a rank-one matrix to one layer's W_down "
                    "(Meng et al. 2022); the naive way fine-tunes that W_down on the one sentence. Which edit stays put?");
    if (!m.ok) { ui::Note("%s", m.error.c_str()); return; }
    // The base: the model before our edit; a model trained or loaded meanwhile becomes the new base.
    if (!V.have_base || (m.version != V.base_version && m.version != V.applied_version)) {
        V.have_base = true;
        V.base_w = m.w;
        V.base_name = m.name;
        V.base_version = m.version;
        V.applied_version = ~0u;
        V.applied.clear();
        V.covariances.clear();
        V.key.clear();
        V.running = V.ready = false;
    }
    Request q = read_request(a, m);
    if (ctx.controls) controls(a, m, q, width, narrow);
    ImGui::Text("Stored: %s, %s = %s", q.subject.c_str(), q.relation.c_str(), q.old_object.empty() ? "(none)" : q.old_object.c_str());

    std::string want;                   // the edit the lab's model should hold
    if (!q.ok) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::wrong_ink()));
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(q.error.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ui::Note("The lab keeps the trained model.");
    } else {
        const std::string key = edit_key(V, q);
        if (!q.method.empty() && key != V.key) {      // a new request: start from the trained model
            GptEditOptions o;
            o.layer = q.layer;
            V.error.clear();
            V.ready = false;
            V.running = V.job.start(V.base_w, m.vocab, m.facts, q.subject, q.relation, q.object, o, &V.error, V.covariances);
            V.key = key;
            V.work_ms = 0;
            V.frames = 0;
            V.started_ms = platform::now_ms();
        }
        if (V.running) run_slice(V);
        if (V.ready && key == V.key && !q.method.empty()) want = key + "/" + q.method;
    }
    apply(a, V, want, q);
    if (q.ok && !V.error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::wrong_ink()));
        ImGui::TextWrapped("The edit failed: %s. The lab keeps the trained model.", V.error.c_str());
        ImGui::PopStyleColor();
    } else if (q.ok && V.running) {
        ImGui::Text("Computing both edits: %s", V.job.phase_name());
        ui::ProgressBar(float(V.job.progress()), width, theme::data());
        ui::Note("A slice per frame (%.0f ms of work so far); the page keeps drawing.", V.work_ms);
    } else if (q.ok && V.ready && V.key == edit_key(V, q)) {
        results(a, V, q, width, narrow);
        ui::Note("Both edits took %.0f ms of work over %d frames (%.1f s on the clock)%s.", V.work_ms, V.frames,
                 V.wall_ms / 1000.0, V.job.computed_covariance() ? ", the key covariance C included" : "; C was kept from an earlier edit");
        if (q.method.empty()) ui::Note("Not applied: the lab has the trained model. Press Edit with ROME or with the fine-tune.");
    } else if (q.ok) {
        ui::Note("No edit yet: the lab has the trained model. Press Edit with ROME (both edits are computed, then compared).");
    }

    // The prompt box: the lab's model as it is now (edited or not).
    ImGui::Separator();
    ImGui::TextUnformatted("Try the lab's model");
    if (ctx.controls) {
        tfui::PromptField(a, m, width);
        if (q.ok) {
            std::vector<GptTemplate> ts = gpt_templates(q.relation);
            ui::Flow f;
            for (size_t t = 0; t < ts.size(); ++t) {
                std::string s = ts[t].text;
                size_t at = s.find("{subject}");
                if (at != std::string::npos) s.replace(at, 9, q.subject);
                ImGui::PushID(int(t));
                if (f.button(s.c_str())) a.state.set("tf_prompt", s);
                ImGui::PopID();
            }
        }
    }
    const TfRun& r = tflab_run(a);
    if (!tfui::NoRun(m, r)) {
        ImFont* big = ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr;
        std::string head = r.prompt + " \xE2\x86\x92 " + (r.greedy_text.empty() ? std::string("(end)") : r.greedy_text);
        if (big) ImGui::PushFont(big);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(head.c_str());
        ImGui::PopTextWrapPos();
        if (big) ImGui::PopFont();
        std::vector<std::string> labels;
        std::vector<float> values;
        for (int i = 0; i < std::min<int>(5, int(r.top.size())); ++i) {
            labels.push_back(tflab_token(m, r.top[size_t(i)]));
            values.push_back(100.0f * r.probs[r.top[size_t(i)]]);
        }
        plot::HBars("tfedit-next", labels, values, width, ui::Em(1.2f), 0, 100, 0, "%.1f%%", theme::data());
        ui::Note("Greedy answer and the next-word probabilities.");
    }
    tfui::ModelLine(m);
    (void)kMethods;
}

ViewRegistrar reg({"tf-edit", "Rewrite a fact in the transformer", "transformer", 70, 700.0f, draw_edit,
                   "ROME's rank-one edit of one W_down beside a naive fine-tune: efficacy, paraphrase, specificity."});

}  // namespace
}  // namespace factlab
