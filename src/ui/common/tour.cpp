// tour.cpp: the guided tour (see tour.hpp): its steps, and the card drawn over
// the lab by an overlay, with Back / Next / Close, arrow keys and a permalink.
//
// [SECTION] Steps: the story of the video, in plain English
// [SECTION] Applying a step's state
// [SECTION] The card
#include "ui/common/tour.hpp"

#include <algorithm>
#include <cstring>
#include <imgui.h>
#include "platform/platform.hpp"
#include "ui/common/state_links.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab::tour {

//-----------------------------------------------------------------------------
// [SECTION] Steps
//-----------------------------------------------------------------------------
// Numbers are those of REFERENCE.md (GPT-3 counts, the Welch and Levenshtein
// bounds for 10,000 unit vectors in 100 dimensions).
static const Step kSteps[] = {
    {"A fact, stored in weights",
     "Ask a language model to finish \"Michael Jordan plays the sport of\" and it answers \"basketball\". "
     "It did not look that up anywhere: the fact sits in its weights. Research (Geva et al. 2021; DeepMind's "
     "\"Fact Finding\", 2023) points to the MLP blocks. This lab builds a small MLP that stores facts about real "
     "athletes, so you can watch one being recalled.",
     "view=lookup&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"E is roughly M + J",
     "By the time the model reads \"Jordan\", the vector flowing through it, E, encodes both names. In this toy "
     "model E is exactly the sum of a direction meaning \"first name Michael\" (M) and one meaning \"last name "
     "Jordan\" (J). Every name and every answer has its own direction; they are random unit vectors, so any two "
     "are nearly perpendicular.",
     "view=block&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"Each row of W_up asks a question",
     "The block's first matrix, W_up, has one row per neuron, and each row takes a dot product with E. That "
     "dot product is a question: \"does E point my way?\" Michael Jordan's neuron has a row close to M + J "
     "(with small negative weights that keep out Michael B. Jordan and Michael I. Jordan), so E = M + J scores "
     "about twice as high as a vector with only one of the two names.",
     "view=neurons&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"The bias",
     "In the video's round numbers the row M + J gives 2 for Michael Jordan and 1 for anyone who shares only "
     "one name, such as Michael Phelps or Alexis Jordan; a bias of -1 turns that into 1 and 0. The compiled "
     "model does the same with its own numbers: its bias sits between the two scores, so Michael Jordan ends "
     "at about +1 and everyone else at 0 or below. Drag the bias and watch the boundary move.",
     "view=and-gate&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"An AND gate",
     "The ReLU then turns every negative value into 0. Only a point with both names lands in the shaded region "
     "where the neuron fires; Michael Phelps and the other Jordans fall outside it. A row, a bias and a ReLU "
     "make an AND of two features: first name Michael AND last name Jordan.",
     "view=and-gate&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"W_down writes the answer",
     "When the neuron fires, its column of the second matrix, W_down, is added to the output. Here that column "
     "is the direction for \"basketball\", plus \"Chicago Bulls\" and \"23\": one neuron can carry several facts "
     "about its subject.",
     "view=block&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"Added to the residual stream",
     "The block does not replace E, it adds to it: E + W_down ReLU(W_up E + b_up) + b_down. Read that sum "
     "against the direction of every sport and \"basketball\" wins by a wide margin. Try Michael Phelps or "
     "another Jordan: each gets its own answer.",
     "view=lookup&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"Billions of questions",
     "GPT-3's vectors have 12,288 dimensions and each of its MLPs has 49,152 neurons. W_up and W_down hold "
     "603,979,776 weights each, about 1.2 billion per block. With 96 layers that makes about 116 billion "
     "weights: two thirds of GPT-3's 175 billion parameters are in MLP blocks.",
     "view=params", "pd,ph,pl"},
    {"More ideas than dimensions",
     "A space with d dimensions has room for only d exactly perpendicular directions, but for far more that "
     "are nearly perpendicular, and the count grows exponentially with d. A model can give each feature an "
     "almost perpendicular direction and store more features than it has dimensions: superposition. The cost "
     "is a little interference, which the ReLU filters out when few features are active at once.",
     "view=superposition", ""},
    {"89 to 91 degrees? Not quite",
     "The video packs 10,000 unit vectors into 100 dimensions and says every pair ends up between 89 and 91 "
     "degrees. That is impossible: the Welch bound forces some pair to 84.29 degrees or closer, and the "
     "Levenshtein bound to 81.95 degrees. The loss used there pushed a few pairs to nearly parallel, hidden in "
     "the tails of the histogram. The worst pair is the one that matters, so it is shown next to the bounds.",
     "view=worst-pair", ""},
    {"How many facts fit?",
     "An MLP's capacity for facts grows in proportion to its number of parameters (Nichani, Lee and Bietti, "
     "2024); language models store about 2 bits of knowledge per parameter (Allen-Zhu and Li, 2024). Train a "
     "small MLP here and watch its accuracy fall once the facts outnumber what it can hold.",
     "view=capacity", ""},
    {"Rewriting a fact",
     "If a fact lives in W_down, it can be edited there. ROME (Meng et al. 2022) changes one fact with a single "
     "rank-one update. Make Michael Jordan play baseball (he briefly did, in 1994) and check what else "
     "changed. That is the end of the tour: every view is yours to explore.",
     "view=edit&ed_subject=Michael%20Jordan&ed_relation=sport&ed_object=baseball&ed_on=1", ""},
};

int step_count() { return int(sizeof kSteps / sizeof kSteps[0]); }

const Step& step(int n) { return kSteps[std::clamp(n, 1, step_count()) - 1]; }

int current(const App& a) { return int(a.state.get_int("tour", 0, 0, step_count())); }

//-----------------------------------------------------------------------------
// [SECTION] Applying a step's state
//-----------------------------------------------------------------------------
static int g_applied = -1;      // the step whose state is in place; -1 before the first frame

// Sets the step's keys (only those the state lacks, for a permalink that also
// carries the reader's own changes) and erases its `clear` keys.
static void apply(App& a, int n, bool only_absent) {
    const Step& s = step(n);
    State want;
    parse_query(s.state, &want, nullptr);
    for (const auto& [k, v] : want.items()) {
        if (k == "view" && !find_view(v)) continue;       // a view this build does not have
        if (!only_absent || !a.state.has(k)) a.state.set(k, v);
    }
    if (!only_absent) {
        std::string keys = s.clear;
        size_t at = 0;
        while (at <= keys.size() && !keys.empty()) {
            size_t comma = keys.find(',', at);
            std::string k = keys.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
            if (!k.empty() && !want.has(k)) a.state.erase(k);
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
    }
}

void go(App& a, int n) {
    n = std::clamp(n, 0, step_count());
    if (n == 0) a.state.erase("tour");
    else { a.state.set_int("tour", n); apply(a, n, false); }
    g_applied = n;
}

std::string step_link(int n) {
    n = std::clamp(n, 1, step_count());
    State s;
    parse_query(step(n).state, &s, nullptr);
    s.set_int("tour", n);
    return lab_link(platform::page_url(), s);
}

//-----------------------------------------------------------------------------
// [SECTION] The card
//-----------------------------------------------------------------------------
// Wrapped text that breaks only at spaces: ImGui's own wrapping also breaks
// after commas, which splits numbers such as 603,979,776.
static void words(const char* text) {
    float right = ImGui::GetContentRegionMax().x;
    float space = ImGui::CalcTextSize(" ").x;
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, ImGui::GetStyle().ItemSpacing.y * 0.5f));
    bool first = true;
    const char* p = text;
    while (*p) {
        const char* end = std::strchr(p, ' ');
        if (!end) end = p + std::strlen(p);
        float w = ImGui::CalcTextSize(p, end).x;
        if (!first) {
            ImGui::SameLine(0, space);
            if (ImGui::GetCursorPosX() + w > right) ImGui::NewLine();
        }
        ImGui::TextUnformatted(p, end);
        first = false;
        p = *end ? end + 1 : end;
    }
    ImGui::PopStyleVar();
}

static bool key_pressed(int imgui_key) {
    ImGuiIO& io = ImGui::GetIO();
    return !io.WantTextInput && ImGui::IsKeyPressed(ImGui::GetKeyIndex(imgui_key), false);
}

static void draw_card(App& a) {
    // A step that arrived from outside (a link, the hash, a host message).
    int n = current(a);
    if (g_applied == -1) {
        if (n) apply(a, n, true);
        g_applied = n;
    } else if (n != g_applied) {
        if (n) apply(a, n, false);
        g_applied = n;
    }
    if (n == 0) return;
    bool embed = a.state.get_bool("embed", false);
    if (embed && !a.state.get_bool("controls", true)) return;   // the host page tells the story

    if (key_pressed(ImGuiKey_RightArrow) && n < step_count()) { go(a, n + 1); return; }
    if (key_pressed(ImGuiKey_LeftArrow) && n > 1) { go(a, n - 1); return; }
    if (key_pressed(ImGuiKey_Escape)) { go(a, 0); return; }

    const Step& s = step(n);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    float fs = ImGui::GetFontSize();
    float margin = fs * 0.75f;
    bool narrow = vp->WorkSize.x < fs * 40;
    float w = narrow ? vp->WorkSize.x - 2 * margin : std::min(fs * 30, vp->WorkSize.x * 0.5f);
    bool show_body = !embed || vp->WorkSize.y > fs * 22;
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - margin, vp->WorkPos.y + vp->WorkSize.y - margin),
                            ImGuiCond_Always, ImVec2(1, 1));
    ImGui::SetNextWindowSize(ImVec2(w, 0));
    ImGui::SetNextWindowBgAlpha(1.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, fs * 0.5f);
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(theme::highlight()));
    ImGui::Begin("##tour", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                        ImGuiWindowFlags_NoMove);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::Text("Tour  %d / %d", n, step_count());
    ImGui::PopStyleColor();
    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->Fonts.Size > 1) ImGui::PushFont(io.Fonts->Fonts[1]);
    words(s.title);
    if (io.Fonts->Fonts.Size > 1) ImGui::PopFont();
    if (show_body) words(s.body);
    ImGui::Spacing();
    ImGui::BeginDisabled(n <= 1);
    if (ImGui::Button("\u2190 Back")) go(a, n - 1);   // ←
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (n < step_count()) {
        ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(theme::kBlue));
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
        if (ImGui::Button("Next \u2192")) go(a, n + 1);   // →
        ImGui::PopStyleColor(2);
    } else if (ImGui::Button("Finish")) {
        go(a, 0);
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) go(a, 0);
    if (!embed) {
        ImGui::SameLine();
        float bw = ImGui::CalcTextSize("Link").x + ImGui::GetStyle().FramePadding.x * 2;
        float right = ImGui::GetWindowContentRegionMax().x;
        if (ImGui::GetCursorPosX() + bw < right) ImGui::SetCursorPosX(right - bw);
        if (ImGui::Button("Link")) {
            platform::copy_to_clipboard(step_link(n));
            a.toast("Link to this step copied.");
        }
        if (ImGui::IsItemHovered()) ui::Tooltip("Copy a link that opens the tour at this step");
    }
    ImGui::End();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

static OverlayRegistrar tour_overlay(draw_card);

}  // namespace factlab::tour
