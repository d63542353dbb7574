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
// bounds for 10,000 unit vectors in 100 dimensions) or measured here (this
// model's row and bias, docs/capacity.md's table). Each body is at most about
// 40 words and ends with one thing to do; the maths and the sources sit behind
// "why?". A figure names its model and size; a claim about real models names
// its source and scope (docs/style.md).
static const Step kSteps[] = {
    {"A fact, stored in weights",
     "A language model finishes \"Michael Jordan plays the sport of\" with \"basketball\" from its weights "
     "alone. This lab stores facts about 277 real people in one small MLP block. Type another athlete and see "
     "what it recalls.",
     "Where do such facts live? Geva et al. (2021) read an MLP's W_up rows as keys and its W_down columns as "
     "values. DeepMind's \"Fact Finding\" (2023) found one model, Pythia 2.8B, recalling athletes' sports mostly "
     "in MLP layers 2 to 6. This lab is the video's cartoon of that idea: one block, one neuron per subject.",
     "view=lookup&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"E is roughly M + J",
     "After reading \"Jordan\", the model's vector E holds both names. In this toy E is exactly M + J: a "
     "direction for \"first name Michael\" plus one for \"last name Jordan\". Find both among E's bars.",
     "Every token and every answer has a random unit direction in 256 dimensions, so any two token directions "
     "are nearly perpendicular. Subjects are not: Michael Jordan (M + J) and Michael B. Jordan (M + B. + J) "
     "share two tokens, cos \xE2\x89\x88 0.82. That overlap is why the block needs a gate. In a real transformer, "
     "attention first has to gather the name's tokens into one vector.",
     "view=block&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"Each row of W_up asks a question",
     "Each row of W_up takes a dot product with E: a question. Michael Jordan's row is 2(M + J) with \xE2\x88\x92" "2 "
     "on \"B.\" and \"I.\": it wants both names and vetoes the middle initials. Find the two negative bars.",
     "Michael B. Jordan and Michael I. Jordan have both names too. Without the vetoes, as strong as the name "
     "weights, their E would score as high as Michael Jordan's. Read on the token directions the row shows "
     "about +2 and \xE2\x88\x92" "2; the rest is interference, because the directions are only nearly perpendicular.",
     "view=neurons&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"The bias",
     "In the video the row M + J gives 2 for Michael Jordan and 1 for one shared name; a bias of \xE2\x88\x92" "1 "
     "makes that 1 and 0. Here the row is twice as long: 4 and 2, bias near \xE2\x88\x92" "3. Drag the bias.",
     "The gate opens with the video's numbers, x + y \xE2\x88\x92 1 > 0, where x and y are E's dot products with "
     "\"Michael\" and \"Jordan\". \"This model's own\" shows this model's gate, about 2\xC2\xB7x + 2\xC2\xB7y \xE2\x88\x92 3 > 0 "
     "(its numbers differ a little from 2 and 3 because the directions are only nearly perpendicular). The compiled "
     "bias puts Michael Jordan at exactly +1 and a one-name match near \xE2\x88\x92" "1; Reset puts the bias back.",
     "view=and-gate&subject=Michael%20Jordan", "neuron,gate_bias,gate_numbers"},
    {"An AND gate",
     "The ReLU turns every negative value into 0, so the neuron fires only in the shaded region. Michael B. "
     "Jordan has both names: will he fire it? Check his row in the table.",
     "No: his extra token \"B.\" meets the row's veto of \xE2\x88\x92" "2, which moves his boundary, so he stays "
     "silent, and so does Michael I. Jordan. Michael Phelps and Alexis Jordan share one name each and fall "
     "outside. A row, a bias and a ReLU make an AND: Michael AND Jordan AND no other name token.",
     "view=and-gate&subject=Michael%20Jordan&gate_numbers=model", "neuron,gate_bias"},
    {"W_down writes the answer",
     "When the neuron fires, its column of W_down is added to the output: the directions for \"basketball\", "
     "\"Chicago Bulls\" and \"23\". Find them in the block's third row of bars.",
     "In this toy one neuron per subject writes all of that subject's facts. That is the cartoon, not how real "
     "models are arranged: in Pythia 2.8B, Fact Finding found the recall spread over many neurons, in "
     "superposition.",
     "view=block&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"Added to the residual stream",
     "The block adds to E instead of replacing it, and each relation's answer is the object the sum points to "
     "most. Now type Michael Phelps: which sport wins for him?",
     "The output is E + W_down\xC2\xB7ReLU(W_up\xC2\xB7" "E + b_up) + b_down. In this toy that is the whole lookup. In "
     "a real transformer attention does part of the work: it gathers the name before the MLPs and moves the "
     "answer to the last position after them (Geva, Bastings, Filippova and Globerson, 2023).",
     "view=lookup&subject=Michael%20Jordan", "neuron,gate_bias"},
    {"Millions of questions, billions of weights",
     "GPT-3 has 49,152 neurons in each of its 96 MLP blocks: about 4.7 million questions. Their W_up and W_down "
     "hold about 116 billion weights. Find their share of GPT-3's 175 billion in the bar.",
     "d_model is 12,288, so W_up and W_down have 12,288 \xC3\x97 49,152 = 603,979,776 weights each: about 1.2 billion "
     "per block, 116 billion in 96 blocks, two thirds of GPT-3's parameters. Biases add only 61,440 per block. "
     "These are GPT-3's counts, as in the video; other models split their parameters differently.",
     "view=params", "pd,ph,pl"},
    {"More ideas than dimensions",
     "d dimensions hold only d exactly perpendicular directions, but far more nearly perpendicular ones. Watch "
     "the histogram of angles as gradient descent pushes 2,000 directions in 100 dimensions apart.",
     "The count that fits within a fixed angle of 90\xC2\xB0 grows exponentially with d. The video's hypothesis is "
     "that models use this to store more features than they have dimensions (superposition), with the ReLU "
     "filtering the small interference. Elhage et al. (2022) show it in toy models, for sparse features.",
     "view=superposition", ""},
    {"89 to 91 degrees? Not quite",
     "The video says 10,000 directions in 100 dimensions all end up between 89\xC2\xB0 and 91\xC2\xB0. That is "
     "impossible: some pair must be at least 5.71\xC2\xB0 from perpendicular. Compare the worst pair with the "
     "limits in the table.",
     "For 10,000 unit vectors in 100 dimensions the Welch bound gives max |cos| \xE2\x89\xA5 0.0995: some pair at "
     "84.29\xC2\xB0 or less, or 95.71\xC2\xB0 or more. The Levenshtein bound raises that to |cos| \xE2\x89\xA5 0.140 "
     "(81.95\xC2\xB0). The video's loss pushed a few pairs nearly parallel, in tails its 80\xC2\xB0 to 100\xC2\xB0 "
     "histogram does not show; 3Blue1Brown's lesson page later said the cost function was flawed.",
     "view=worst-pair&sp_n=10000&sp_d=100&sp_loss=video&sp_lr=0.01&sp_steps=250", ""},
    {"How many facts fit?",
     "Small blocks are trained on more and more random facts until they miss more than 1%. Watch the sweep (or "
     "press Run sweep) and compare the blocks' bits per parameter with the line at 2.",
     "Measured here, the count depends on the shape, not only on the parameters: d 128 with 4 neurons (1,028 "
     "parameters) stores 30 facts, d 32 with 16 neurons (1,040) stores 422. This toy counts trained parameters "
     "only and credits each fact its full log2(candidates); its best run reaches 2.42 bits per parameter. "
     "Allen-Zhu and Li's 2 bits per parameter (2024) is a ceiling they measured for GPT-2-style models trained on "
     "synthetic biographies with about 1,000 exposures per fact, not a measurement of deployed LLMs, so 2.42 does "
     "not beat real models.",
     "view=capacity", ""},
    {"Rewriting a fact",
     "If a fact lives in W_down, it can be rewritten there. Press Apply edit to make Michael Jordan play "
     "baseball (he did, in 1994), then read the near misses: did anyone else change?",
     "ROME (Meng et al. 2022) adds one rank-one matrix to W_down, \xCE\x9B(C\xE2\x81\xBB\xC2\xB9k*)\xE1\xB5\x80: k* is the "
     "subject's key (its neurons' activations), C the covariance of every subject's key. The one-column edit is "
     "rank-one too, but along one neuron; C\xE2\x81\xBB\xC2\xB9k* steers ROME's change away from the other "
     "subjects' keys. That is the end of the tour.",
     "view=edit&ed_subject=Michael%20Jordan&ed_relation=sport&ed_object=baseball", "ed_on"},
};

int step_count() { return int(sizeof kSteps / sizeof kSteps[0]); }

const Step& step(int n) { return kSteps[std::clamp(n, 1, step_count()) - 1]; }

int current(const App& a) { return int(a.state.get_int("tour", 0, 0, step_count())); }

//-----------------------------------------------------------------------------
// [SECTION] Applying a step's state
//-----------------------------------------------------------------------------
static int g_applied = -1;      // the step whose state is in place; -1 before the first frame
static bool g_why = false;      // the current step's "why?" is open

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
    g_why = false;
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
        g_why = false;
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
    if (show_body) {
        words(s.body);
        if (s.why && *s.why) {
            if (g_why) { ImGui::Separator(); words(s.why); }
            if (ImGui::SmallButton(g_why ? "hide why" : "why?")) g_why = !g_why;
            if (ImGui::IsItemHovered()) ui::Tooltip("The maths and the sources behind this step");
        }
    }
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
