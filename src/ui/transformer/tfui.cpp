// tfui.cpp: see tfui.hpp.
#include "ui/transformer/tfui.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <imgui.h>
#include <imgui_internal.h>   // GetActiveID: do not overwrite the field while it is being typed in
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab::tfui {

namespace {
std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
struct FieldState {
    char buf[512] = {0};
    std::string shown;    // the state's prompt the buffer was filled from
};
}  // namespace

bool PromptField(App& a, const TfModel& m, float width) {
    static FieldState F;
    std::string prompt = tflab_prompt(a);
    ImGuiID id = ImGui::GetID("##tf_prompt");
    bool active = ImGui::GetActiveID() == id;
    if (!active && prompt != F.shown) {   // a link, a message, a button: mirror it
        std::snprintf(F.buf, sizeof F.buf, "%s", prompt.c_str());
        F.shown = prompt;
    }
    ImGui::SetNextItemWidth(width);
    bool changed = false;
    if (ImGui::InputTextWithHint("##tf_prompt", "Type a prompt, e.g. Michael Jordan plays the sport of", F.buf, sizeof F.buf)) {
        std::string t = F.buf;
        if (t.size() > 200) t.resize(200);   // a state value stays short (links)
        if (a.state.set("tf_prompt", t)) changed = true;
        F.shown = t;
    }
    if (!m.ok) return changed;
    // Completion: the model's words that start like the word being typed.
    std::string text = F.buf;
    size_t sp = text.find_last_of(' ');
    std::string head = sp == std::string::npos ? "" : text.substr(0, sp + 1);
    std::string part = sp == std::string::npos ? text : text.substr(sp + 1);
    if (!part.empty() && m.vocab.id(part) < 0) {
        std::string lp = lower(part);
        std::vector<std::string> hits;
        for (const std::string& w : m.vocab.words) {
            if (w == kGptEndToken || w.size() < part.size()) continue;
            if (lower(w.substr(0, lp.size())) == lp) hits.push_back(w);
        }
        std::sort(hits.begin(), hits.end(), [](const std::string& x, const std::string& y) {
            return x.size() != y.size() ? x.size() < y.size() : x < y;
        });
        if (hits.size() > 8) hits.resize(8);
        ui::Flow f;
        f.next(ImGui::CalcTextSize("Words:").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(hits.empty() ? "No word of the model starts like that." : "Words:");
        for (const std::string& w : hits) {
            ImGui::PushID(w.c_str());
            if (f.button(w.c_str())) {
                std::string t = head + w;
                a.state.set("tf_prompt", t);
                changed = true;
            }
            ImGui::PopID();
        }
    }
    return changed;
}

void PromptHeader(App& a, const TfModel& m, const ViewCtx& ctx, const char* caption, float width) {
    if (ctx.controls) {
        ui::Caption(caption);
        PromptField(a, m, width);
    } else {
        std::string p = "Prompt: " + tflab_prompt(a);
        ui::Caption(p.c_str());
    }
}

void TokenChips(const TfModel& m, const TfRun& r, int highlight) {
    const float fs = ImGui::GetFontSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    ImVec2 start = ImGui::GetCursorScreenPos();
    float x = start.x, y = start.y;
    const float chip_h = fs * 1.4f, row_h = chip_h + fs * 1.2f, gap = fs * 0.35f;
    const int n = int(r.ids.empty() ? r.words.size() : r.ids.size());
    for (int i = 0; i < n; ++i) {
        std::string t = r.ids.empty() ? r.words[size_t(i)] : tflab_token(m, r.ids[size_t(i)]);
        bool unknown = r.ids.empty() && m.ok && m.vocab.id(t) < 0;
        ImVec2 ts = ImGui::CalcTextSize(t.c_str());
        float w = ts.x + fs * 0.8f;
        if (x > start.x && x + w > right) { x = start.x; y += row_h; }
        bool subj = i >= r.subject_first && i < r.subject_end;
        ImU32 bg = unknown ? theme::with_alpha(theme::wrong(), 0.25f) : ImGui::GetColorU32(ImGuiCol_FrameBg);
        if (i == highlight) bg = theme::with_alpha(theme::focus(), 0.25f);
        dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + chip_h), bg, fs * 0.3f);
        if (subj) dl->AddRect(ImVec2(x, y), ImVec2(x + w, y + chip_h), theme::text(), fs * 0.3f, 0, 2.0f);
        dl->AddText(ImVec2(x + fs * 0.4f, y + (chip_h - ts.y) / 2), theme::text(), t.c_str());
        char pos[32];
        std::snprintf(pos, sizeof pos, "%d", i);
        ImVec2 ps = ImGui::CalcTextSize(pos);
        dl->AddText(ImVec2(x + (w - ps.x) / 2, y + chip_h + fs * 0.05f), ImGui::GetColorU32(ImGuiCol_TextDisabled), pos);
        x += w + gap;
    }
    ImGui::Dummy(ImVec2(std::max(1.0f, right - start.x), y - start.y + row_h));
    if (r.subject_first >= 0) ui::Note("Outlined: the subject, %s (positions %d\xE2\x80\x93%d). Numbers: positions.",
                                       r.subject.c_str(), r.subject_first, r.subject_end - 1);
}

void ModelLine(const TfModel& m) {
    std::string s = "Model: " + tflab_model_caption(m) + ".";
    ui::Caption(s.c_str());
}

bool NoRun(const TfModel& m, const TfRun& r) {
    if (!m.ok) {
        ui::Note("%s", m.error.c_str());
        return true;
    }
    if (!r.ok) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme::wrong_ink()));
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(r.error.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        return true;
    }
    return false;
}

const GptGate* Gate(App& a, const TfModel& m, const TfRun& r, int K, std::string* error) {
    struct GateCache { std::string key, error; bool ok = false; GptGate gate; };
    GateCache& C = a.ext<GateCache>();
    if (!m.ok || !r.ok || r.subject_first < 0) {
        *error = "No subject of the training facts appears in this prompt: there is no name to take apart.";
        return nullptr;
    }
    std::string key = std::to_string(r.model_version) + "/" + std::to_string(K) + "/" + r.prompt;
    if (C.key != key) {
        C.key = key;
        C.error.clear();
        GptGateOptions o;
        o.top = K;
        C.ok = gpt_and_gate(m.w, m.vocab, m.facts, r.ids, r.subject_first, r.subject_end, o, &C.gate, &C.error);
    }
    if (!C.ok) { *error = C.error; return nullptr; }
    return &C.gate;
}

std::vector<std::string> ExamplePrompts(const TfModel& m) {
    std::vector<std::string> out;
    if (!m.ok) return out;
    const std::string subject = "Michael Jordan";
    std::string relation;
    for (const Fact& f : m.facts.facts)
        if (f.subject == subject) { relation = f.relation; break; }
    if (relation.empty()) return out;
    for (const GptTemplate& t : gpt_templates(relation)) {
        std::string s = t.text;
        size_t at = s.find("{subject}");
        if (at != std::string::npos) s.replace(at, 9, subject);
        out.push_back(s);
    }
    if (!out.empty()) {
        std::string rev = out[0];
        size_t at = rev.find(subject);
        if (at != std::string::npos) rev.replace(at, subject.size(), "Jordan Michael");
        out.push_back(rev);
    }
    return out;
}

}  // namespace factlab::tfui
