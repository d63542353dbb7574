// tour.cpp: the guided tour (see tour.hpp): its steps, and the card drawn by
// an overlay beside the panel it talks about (never over it), the rest of the
// page dimmed, with Back / Next / Close, arrow keys and a permalink.
//
// [SECTION] Steps: the story of the video, then the trained transformer
// [SECTION] Applying a step's state
// [SECTION] Placing the card: beside its panel, or under it on a narrow screen
// [SECTION] The card
#include "ui/common/tour.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include <imgui.h>
#include <imgui_internal.h>   // the windows on screen, for layout_json
#include <nlohmann/json.hpp>
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
// its source and scope (docs/style.md). Steps 13-16 quote the built-in
// transformer's own numbers (factlab-cli gpt predict, lens, trace, knockout;
// docs/tour.md lists the commands); tests/browser/tour.test.mjs checks them
// against factlab.gpt in the page.
static const Step kSteps[] = {
    // 1
    {"A fact, stored in weights",
     "A language model finishes \"Michael Jordan plays the sport of\" with \"basketball\" from its weights alone. "
     "Here one small MLP block (the video's cartoon: d = 256, 277 neurons) stores facts about 277 people. "
     "Type another athlete.",
     "", 0, "", "",
     "Where do such facts live? Geva et al. (2021) read an MLP's W_up rows as keys and its W_down columns as "
     "values. DeepMind's \"Fact Finding\" (2023) found one model, Pythia 2.8B, recalling athletes' sports mostly "
     "in MLP layers 2 to 6. This lab is the video's cartoon of that idea: one block, one neuron per subject.",
     "view=lookup&subject=Michael%20Jordan", "neuron,gate_bias"},
    // 2
    {"E is roughly M + J",
     "After reading \"Jordan\", the model's vector E holds both names. In this toy E is exactly M + J: a "
     "direction for \"first name Michael\" plus one for \"last name Jordan\". Find both among E's bars.",
     "", 0, "", "",
     "Every word of a name in its place (first name Michael, last name Jordan) and every answer has a random "
     "unit direction in 256 dimensions, so any two of them are nearly perpendicular. Subjects are not: Michael Jordan (M + J) and Michael B. Jordan "
     "(M + B. + J) share two tokens, cos \xE2\x89\x88 0.82. That overlap is why the block needs a gate. In a real "
     "transformer, attention first has to gather the name's tokens into one vector.",
     "view=block&subject=Michael%20Jordan", "neuron,gate_bias"},
    // 3
    {"Each row of W_up asks a question",
     "Each row of W_up takes a dot product with E: a question. Michael Jordan's row is 2(M + J) with \xE2\x88\x92" "2 "
     "on \"B.\" and \"I.\": it wants both names and vetoes the middle initials. Find the two negative bars.",
     "", 0, "", "",
     "Michael B. Jordan and Michael I. Jordan have both names too. Without the vetoes, as strong as the name "
     "weights, their E would score as high as Michael Jordan's. Read on the token directions the row shows "
     "about +2 and \xE2\x88\x92" "2; the rest is interference, because the directions are only nearly perpendicular.",
     "view=neurons&subject=Michael%20Jordan", "neuron,gate_bias"},
    // 4
    {"The bias",
     "The video's row M + J gives 2 for Michael Jordan, 1 for one shared name; bias \xE2\x88\x92" "1 makes "
     "that 1 and 0. Here the row is 2(M + J): 4 and 2, bias near \xE2\x88\x92" "3. Drag the bias.",
     "", 0, "", "",
     "The gate opens with the video's numbers, x + y \xE2\x88\x92 1 > 0, where x and y are E's dot products with "
     "\"first name Michael\" and \"last name Jordan\". \"This model's own\" shows this model's gate, about "
     "2\xC2\xB7x + 2\xC2\xB7y \xE2\x88\x92 3 > 0 (its numbers differ a little from 2 and 3 because the directions are only "
     "nearly perpendicular). The compiled bias puts Michael Jordan at exactly +1 and the 20 one-name matches "
     "between \xE2\x88\x92" "1.44 and \xE2\x88\x92" "0.50; with the video's bias 16 of them tip over the line. Reset puts "
     "the bias back.",
     "view=and-gate&subject=Michael%20Jordan", "neuron,gate_bias,gate_numbers"},
    // 5
    {"An AND gate",
     "ReLU turns negative values into 0: the neuron fires only in the shaded region. Michael B. Jordan has "
     "both names. Will he fire it?",
     "Yes|No", 1,
     "No: the \xE2\x88\x92" "2 on \"B.\" puts him at \xE2\x88\x92" "0.77; ReLU gives 0. See the table.", "",
     "His extra token \"B.\" meets the row's veto, which moves his boundary, so he stays silent, and so does "
     "Michael I. Jordan. Michael Phelps and Alexis Jordan share one name each and fall outside. A row, a bias "
     "and a ReLU make an AND: Michael AND Jordan AND no other name token. (This step shows this model's own "
     "gate; the video's row M + J has no veto, and with its numbers he would fire, at +1.21.)",
     "view=and-gate&subject=Michael%20Jordan&gate_numbers=model", "neuron,gate_bias"},
    // 6
    {"W_down writes the answer",
     "When the neuron fires, its column of W_down is added to the output: the directions for \"basketball\", "
     "\"Chicago Bulls\" and \"23\". Find them in the block's third row of bars.",
     "", 0, "", "",
     "In this toy one neuron per subject writes all of that subject's facts. That is the cartoon, not how real "
     "models are arranged: in Pythia 2.8B, Fact Finding found the recall spread over many neurons, in "
     "superposition.",
     "view=block&subject=Michael%20Jordan", "neuron,gate_bias"},
    // 7
    {"Added to the residual stream",
     "The block adds to E; each relation's answer is the object the sum points to most. Michael Phelps shares "
     "the first name. Which sport wins for him?",
     "Swimming|Basketball", 0,
     "Swimming, 98%: Michael Jordan's neuron stays silent. The lookup now shows him.",
     "subject=Michael%20Phelps",
     "The output is E + W_down\xC2\xB7ReLU(W_up\xC2\xB7" "E + b_up) + b_down. In this toy that is the whole lookup. In "
     "a real transformer attention does part of the work: it gathers the name before the MLPs and moves the "
     "answer to the last position after them (Geva, Bastings, Filippova and Globerson, 2023).",
     "view=lookup&subject=Michael%20Jordan", "neuron,gate_bias"},
    // 8
    {"Millions of questions, billions of weights",
     "GPT-3 has 49,152 neurons in each of its 96 MLP blocks: about 4.7 million questions. What share of GPT-3's "
     "175 billion parameters do their W_up and W_down hold?",
     "A tenth|A third|Two thirds", 2,
     "Two thirds: about 116 billion weights. Find their bar.", "",
     "d_model is 12,288, so W_up and W_down have 12,288 \xC3\x97 49,152 = 603,979,776 weights each: about 1.2 billion "
     "per block, 116 billion in 96 blocks, two thirds of GPT-3's parameters. Biases add only 61,440 per block. "
     "These are GPT-3's counts, as in the video; other models split their parameters differently.",
     "view=params", "pd,ph,pl"},
    // 9
    {"More ideas than dimensions",
     "d dimensions hold only d exactly perpendicular directions, but far more nearly perpendicular ones. Press "
     "Play (or Run again) and watch the angles as gradient descent pushes 2,000 directions in 100 dimensions apart.",
     "", 0, "", "",
     "The count that fits within a fixed angle of 90\xC2\xB0 grows exponentially with d. The video's hypothesis is "
     "that models use this to store more features than they have dimensions (superposition), with the ReLU "
     "filtering the small interference. Elhage et al. (2022) show it in toy models, for sparse features.",
     "view=superposition&sp_n=2000&sp_d=100&sp_loss=video&sp_lr=0.01&sp_steps=250", ""},
    // 10
    {"89 to 91 degrees? Not quite",
     "The video says 10,000 directions in 100 dimensions all end up between 89\xC2\xB0 and 91\xC2\xB0. Can they?",
     "Yes|No", 1,
     "No: some pair must be at least 5.71\xC2\xB0 from perpendicular. Compare the worst pair with the limits in the "
     "table.", "",
     "For 10,000 unit vectors in 100 dimensions the Welch bound gives max |cos| \xE2\x89\xA5 0.0995: some pair is at "
     "least 5.71\xC2\xB0 from perpendicular. The Levenshtein bound raises that to |cos| \xE2\x89\xA5 0.140 "
     "(8.05\xC2\xB0). The video's loss pushed a few pairs nearly parallel, in tails its 80\xC2\xB0 to 100\xC2\xB0 "
     "histogram does not show; 3Blue1Brown's lesson page later said the cost function was flawed.",
     "view=worst-pair&sp_n=10000&sp_d=100&sp_loss=video&sp_lr=0.01&sp_steps=250", ""},
    // 11
    {"How many facts fit?",
     "Small blocks are trained on more and more random facts until they miss more than 1%. Press Run sweep (or "
     "watch it run) and compare the blocks' bits per parameter with the line at 2.",
     "", 0, "", "",
     "Measured here, the count depends on the shape, not only on the parameters: d 128 with 4 neurons (1,028 "
     "parameters) stores 30 facts, d 32 with 16 neurons (1,040) stores 422. This toy counts trained parameters "
     "only and credits each fact its full log2(candidates); its best run reaches 2.42 bits per parameter. "
     "Allen-Zhu and Li's 2 bits per parameter (2024) is a ceiling they measured for GPT-2-style models trained on "
     "synthetic biographies with about 1,000 exposures per fact, not a measurement of deployed LLMs, so 2.42 does "
     "not beat real models.",
     "view=capacity", ""},
    // 12
    {"Rewriting a fact",
     "If a fact lives in W_down, it can be rewritten there. Press Apply edit to make Michael Jordan play "
     "baseball (he did, in 1994), then read the near misses: did anyone else change?",
     "", 0, "", "",
     "ROME (Meng et al. 2022) adds one rank-one matrix to W_down, \xCE\x9B(C\xE2\x81\xBB\xC2\xB9k*)\xE1\xB5\x80: k* is the "
     "subject's key (its neurons' activations), C the covariance of every subject's key. The one-column edit is "
     "rank-one too, but along one neuron; C\xE2\x81\xBB\xC2\xB9k* steers ROME's change away from the other "
     "subjects' keys. Next: a transformer that learned the facts from sentences.",
     "view=edit&ed_subject=Michael%20Jordan&ed_relation=sport&ed_object=baseball", "ed_on"},
    // 13: from the cartoon to a trained transformer (issue 14). Numbers: factlab-cli gpt predict / eval.
    {"A transformer that learned the facts",
     "Now GPT-2's design in miniature (2 layers, d 64, 4 heads), trained on sentences about these people. On a "
     "trained phrasing: basketball, 99.7%. Will it answer one it never saw?",
     "Yes|No", 1,
     "No: \"Michael Jordan is known for playing\" gets \"4\", 11%.",
     "tf_prompt=Michael%20Jordan%20is%20known%20for%20playing",
     "It trained on three phrasings per relation (1,515 prompts, 400 Adam steps) and knows all 1,515; of the "
     "fourth phrasing, held out, it gets 80 of 505 (15.8%). Allen-Zhu and Li (2023) report the same kind of "
     "result for GPT-2-style models trained on synthetic biographies in a few fixed phrasings: they often cannot "
     "answer a phrasing they never saw.",
     "view=prompt&tf_prompt=Michael%20Jordan%20plays%20the%20sport%20of", ""},
    // 14: factlab-cli gpt lens
    {"The logit lens",
     "The logit lens reads each layer's residual stream as if it were the last. At the last word, \"of\", when is "
     "basketball already the top word?",
     "After layer 0|Only after layer 1", 0,
     "After layer 0, the first of two: 99.7%. Read its rank under the grid.", "",
     "nostalgebraist (2020): the residual stream after each block goes through the final LayerNorm and the "
     "unembedding, as if it were the last layer. In this 2-layer model, at the last position, layer 0 gives basketball 99.7% and "
     "layer 1 (the model's output) 99.7%.",
     "view=lens&tf_prompt=Michael%20Jordan%20plays%20the%20sport%20of", ""},
    // 15: factlab-cli gpt trace (noise 3, 10 samples, seed 1) and gpt knockout
    {"Causal tracing",
     "Noise on the name drops p(Chicago) from 0.99 to 0.07. Restoring one clean state: where does Chicago come "
     "back, at \"Jordan\" or at the last word, \"the\"?",
     "At \"Jordan\"|At \"the\"", 1,
     "At \"the\": its state after layer 0 gives 0.99; \"Jordan\" gives 0.08.", "",
     "ROME (Meng et al. 2022): noise of 3\xCF\x83 on the subject's token embeddings, then the hidden state at one "
     "(position, layer) copied back from the clean run, averaged over 10 samples (ROME restores a window of 10 "
     "layers for its MLP map; here 1). In GPT-2 XL the MLP effect peaks at the subject's last word, in "
     "early-middle layers. This 2-layer model reads the name into the last word in layer 0: blocking that attention "
     "drops p(Chicago) to 0.58 (factlab-cli gpt knockout).",
     "view=trace&tf_prompt=Michael%20Jordan%20played%20for%20the", "tf_noise,tf_samples,tf_seed"},
    // 16: the attention patterns of the built-in model (layer 0, last row)
    {"Attention reads the name",
     "Attention lets each word read earlier words. In layer 0, head 3, which word does the last word, \"the\", "
     "read most?",
     "Michael|Jordan|the", 0,
     "Michael, 90%. Head 1 of layer 0 puts 39% on \"Jordan\". Hover the bottom row.", "",
     "Geva, Bastings, Filippova and Globerson (2023) block the last position's attention to the subject "
     "(attention knockout) in GPT-2 XL and GPT-J, and at upper layers the answer's probability falls sharply: "
     "attention reads the subject's vector late. In this 2-layer model, blocking it in layer 0 drops p(Chicago) "
     "from 0.99 to 0.58; in layer 1 it stays 0.99. That is the end of "
     "the tour.",
     "view=attention&tf_prompt=Michael%20Jordan%20played%20for%20the&tf_layer=0&tf_head=3", ""},
};

int step_count() { return int(sizeof kSteps / sizeof kSteps[0]); }

const Step& step(int n) { return kSteps[std::clamp(n, 1, step_count()) - 1]; }

int current(const App& a) { return int(a.state.get_int("tour", 0, 0, step_count())); }

//-----------------------------------------------------------------------------
// [SECTION] Applying a step's state
//-----------------------------------------------------------------------------
static int g_applied = -1;      // the step whose state is in place; -1 before the first frame
static bool g_why = false;      // the current step's "why?" is open
static int g_choice = -1;       // the reader's answer to the current step's question, -1 none yet

static void apply_query(App& a, const char* query, bool only_absent) {
    State want;
    parse_query(query, &want, nullptr);
    for (const auto& [k, v] : want.items()) {
        if (k == "view" && !find_view(v)) continue;       // a view this build does not have
        if (!only_absent || !a.state.has(k)) a.state.set(k, v);
    }
}

// Sets the step's keys (only those the state lacks, for a permalink that also
// carries the reader's own changes) and erases its `clear` keys.
static void apply(App& a, int n, bool only_absent) {
    const Step& s = step(n);
    apply_query(a, s.state, only_absent);
    if (!only_absent) {
        State want;
        parse_query(s.state, &want, nullptr);
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
    g_choice = -1;
}

std::string step_link(int n) {
    n = std::clamp(n, 1, step_count());
    State s;
    parse_query(step(n).state, &s, nullptr);
    s.set_int("tour", n);
    return lab_link(platform::page_url(), s);
}

// The answers of a step: "Yes|No" -> {"Yes", "No"}.
static std::vector<std::string> choices_of(const Step& s) {
    std::vector<std::string> out;
    std::string c = s.choices;
    size_t at = 0;
    while (!c.empty()) {
        size_t bar = c.find('|', at);
        out.push_back(c.substr(at, bar == std::string::npos ? std::string::npos : bar - at));
        if (bar == std::string::npos) break;
        at = bar + 1;
    }
    return out;
}

static void answer(App& a, int n, int choice) {
    g_choice = choice;
    const Step& s = step(n);
    if (*s.reveal_state) apply_query(a, s.reveal_state, false);
}

//-----------------------------------------------------------------------------
// [SECTION] Placing the card
//-----------------------------------------------------------------------------
// The view frame of app.cpp says where the focused panel is (note_panel) while
// the grid draws; the card, drawn after the grid, goes beside it when there is
// room for a readable card (a wide screen), else under it: the grid then ends
// above the card (reserved_bottom), so the panel's top part is never covered.
struct Rect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return x1 <= x0 || y1 <= y0; }
};
static Rect clip(Rect a, const Rect& b) {
    a.x0 = std::max(a.x0, b.x0); a.y0 = std::max(a.y0, b.y0);
    a.x1 = std::min(a.x1, b.x1); a.y1 = std::min(a.y1, b.y1);
    if (a.empty()) a.x1 = a.x0, a.y1 = a.y0;
    return a;
}

static struct {
    int frame = -1;             // ImGui frame of the last note_panel
    Rect full, shown;           // the panel, and the part of it its parent shows
} g_panel;
static Rect g_card;             // the card's rectangle in the last frame it was drawn
static int g_card_frame = -1;
static float g_card_h = 0;      // its height then (the next frame places it with it)
static bool g_below = false;    // the card sits under the panel (narrow screens)
static std::vector<std::pair<std::string, Rect>> g_buttons;   // the card's buttons, for tests
static std::string g_text;      // the card's text as shown (body, reveal), for tests

void note_panel(float x0, float y0, float x1, float y1, float cx0, float cy0, float cx1, float cy1) {
    g_panel.frame = ImGui::GetFrameCount();
    g_panel.full = {x0, y0, x1, y1};
    g_panel.shown = clip(g_panel.full, {cx0, cy0, cx1, cy1});
}

static bool panel_known() { return g_panel.frame >= ImGui::GetFrameCount() - 1 && !g_panel.shown.empty(); }

static float card_width_beside() { return ImGui::GetFontSize() * 24; }

// Room for the card beside the panel: the side with more space, if a card fits.
static bool beside(const ImGuiViewport* vp, float margin, float* x, float* w) {
    if (!panel_known()) return false;
    float left = g_panel.shown.x0 - vp->WorkPos.x - 2 * margin;
    float right = vp->WorkPos.x + vp->WorkSize.x - g_panel.shown.x1 - 2 * margin;
    float want = card_width_beside(), least = ImGui::GetFontSize() * 17;
    if (std::max(left, right) < least) return false;
    *w = std::min(want, std::max(left, right));
    *x = right >= left ? g_panel.shown.x1 + margin : g_panel.shown.x0 - margin - *w;
    return true;
}

float reserved_bottom(const App& a) {
    if (current(a) == 0 || a.state.get_bool("embed", false) || !g_below || g_card_h <= 0) return 0;
    return g_card_h + ImGui::GetFontSize() * 1.0f;   // the card's margin and a little air
}

// The rest of the page dims: four dark rectangles around the panel's shown
// part, in a window that takes no input, under the card.
static void draw_dim(const ImGuiViewport* vp) {
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::Begin("##tour_dim", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoInputs |
                                            ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoSavedSettings |
                                            ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    // (not NoBringToFrontOnFocus: ImGui creates such windows behind the others, the lab's among them)
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRectFullScreen();
    ImU32 shade = theme::is_dark() ? IM_COL32(0, 0, 0, 140) : IM_COL32(20, 24, 32, 90);
    ImVec2 p0 = vp->Pos, p1(vp->Pos.x + vp->Size.x, vp->Pos.y + vp->Size.y);
    if (panel_known()) {
        const Rect& r = g_panel.shown;
        dl->AddRectFilled(p0, ImVec2(p1.x, r.y0), shade);
        dl->AddRectFilled(ImVec2(p0.x, r.y1), p1, shade);
        dl->AddRectFilled(ImVec2(p0.x, r.y0), ImVec2(r.x0, r.y1), shade);
        dl->AddRectFilled(ImVec2(r.x1, r.y0), ImVec2(p1.x, r.y1), shade);
        dl->AddRect(ImVec2(r.x0, r.y0), ImVec2(r.x1, r.y1), theme::highlight(), 0, 0, 2.0f);
    } else {
        dl->AddRectFilled(p0, p1, shade);
    }
    dl->PopClipRect();
    ImGui::End();
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

// A button whose rectangle the tests can read (layout_json).
static bool card_button(const char* label, const ImVec4* fill = nullptr) {
    if (fill) {
        ImGui::PushStyleColor(ImGuiCol_Button, *fill);
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, *fill);
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    }
    bool pressed = ImGui::Button(label);
    if (fill) ImGui::PopStyleColor(3);
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    std::string shown = label;
    size_t hash = shown.find("##");
    if (hash != std::string::npos) shown.resize(hash);
    g_buttons.push_back({shown, {a.x, a.y, b.x, b.y}});
    return pressed;
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
        g_choice = -1;
    }
    g_buttons.clear();
    if (n == 0) { g_card_frame = -1; g_below = false; return; }
    bool embed = a.state.get_bool("embed", false);
    if (embed && !a.state.get_bool("controls", true)) return;   // the host page tells the story

    if (key_pressed(ImGuiKey_RightArrow) && n < step_count()) { go(a, n + 1); return; }
    if (key_pressed(ImGuiKey_LeftArrow) && n > 1) { go(a, n - 1); return; }
    if (key_pressed(ImGuiKey_Escape)) { go(a, 0); return; }

    const Step& s = step(n);
    const std::vector<std::string> choices = choices_of(s);
    const bool asks = !choices.empty(), answered = asks && g_choice >= 0;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    float fs = ImGui::GetFontSize();
    float margin = fs * 0.75f;
    bool show_body = !embed || vp->WorkSize.y > fs * 22;

    // Where: beside the panel if there is room, else under it, full width.
    float x = 0, w = 0, y = 0;
    float max_h = vp->WorkSize.y - 2 * margin;
    ImVec2 pivot(0, 0);
    if (!embed && beside(vp, margin, &x, &w)) {
        g_below = false;
        y = std::clamp(g_panel.shown.y0, vp->WorkPos.y + margin,
                       std::max(vp->WorkPos.y + margin, vp->WorkPos.y + vp->WorkSize.y - margin - g_card_h));
    } else {
        g_below = !embed;
        w = vp->WorkSize.x - 2 * margin;
        x = vp->WorkPos.x + margin;
        y = vp->WorkPos.y + vp->WorkSize.y - margin;
        pivot = ImVec2(0, 1);
        max_h = vp->WorkSize.y * (embed ? 0.9f : 0.55f);      // the panel keeps the rest
        if (embed) w = std::min(w, fs * 30), x = vp->WorkPos.x + vp->WorkSize.x - margin - w, pivot = ImVec2(0, 1);
    }
    if (!embed) draw_dim(vp);
    ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always, pivot);
    ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0), ImVec2(w, max_h));
    ImGui::SetNextWindowBgAlpha(1.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, fs * 0.5f);
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(theme::highlight()));
    ImGui::Begin("##tour", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_AlwaysAutoResize |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::Text("Tour  %d / %d", n, step_count());
    ImGui::PopStyleColor();
    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->Fonts.Size > 1) ImGui::PushFont(io.Fonts->Fonts[1]);
    words(s.title);
    if (io.Fonts->Fonts.Size > 1) ImGui::PopFont();
    g_text.clear();
    const ImVec4 blue = ImGui::ColorConvertU32ToFloat4(theme::kBlue);
    if (show_body) {
        words(s.body);
        g_text = s.body;
        if (asks && !answered) {
            // Predict first: one button per answer; the card says why only after.
            for (size_t i = 0; i < choices.size(); ++i) {
                if (i) ImGui::SameLine();
                ImGui::PushID(int(i));
                if (card_button(choices[i].c_str(), &blue)) answer(a, n, int(i));
                ImGui::PopID();
            }
        } else if (answered) {
            bool right = g_choice == s.answer;
            ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(right ? theme::answer_ink() : theme::text()));
            std::string verdict = std::string(right ? "Right. " : "Not quite. ") + s.reveal;
            words(verdict.c_str());
            ImGui::PopStyleColor();
            g_text += std::string(" ") + s.reveal;
        }
        if (s.why && *s.why && (!asks || answered)) {
            if (g_why) { ImGui::Separator(); words(s.why); }
            if (ImGui::SmallButton(g_why ? "hide why" : "why?")) g_why = !g_why;
            g_buttons.push_back({g_why ? "hide why" : "why?", {ImGui::GetItemRectMin().x, ImGui::GetItemRectMin().y,
                                                              ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y}});
            if (ImGui::IsItemHovered()) ui::Tooltip("The maths and the sources behind this step");
        }
    }
    ImGui::Spacing();
    ImGui::BeginDisabled(n <= 1);
    if (card_button("\u2190 Back")) go(a, n - 1);   // ←
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (n < step_count()) {
        if (card_button("Next \u2192", asks && !answered ? nullptr : &blue)) go(a, n + 1);   // →
    } else if (card_button("Finish")) {
        go(a, 0);
    }
    ImGui::SameLine();
    if (card_button("Close")) go(a, 0);
    if (!embed) {
        ImGui::SameLine();
        float bw = ImGui::CalcTextSize("Link").x + ImGui::GetStyle().FramePadding.x * 2;
        float right = ImGui::GetWindowContentRegionMax().x;
        if (ImGui::GetCursorPosX() + bw < right) ImGui::SetCursorPosX(right - bw);
        if (card_button("Link")) {
            platform::copy_to_clipboard(step_link(n));
            a.toast("Link to this step copied.");
        }
        if (ImGui::IsItemHovered()) ui::Tooltip("Copy a link that opens the tour at this step");
    }
    ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    if (std::fabs(size.y - g_card_h) > 0.5f) platform::keep_awake();   // placed with last frame's height: once more
    g_card_h = size.y;
    g_card = {pos.x, pos.y, pos.x + size.x, pos.y + size.y};
    g_card_frame = ImGui::GetFrameCount();
    ImGui::End();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

static nlohmann::json rect_json(const Rect& r) { return {r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0}; }

std::string layout_json(const App& a) {
    int n = current(a);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    nlohmann::json j = {{"step", n}, {"steps", step_count()}, {"display", {vp->Size.x, vp->Size.y}}};
    bool card = n > 0 && g_card_frame >= ImGui::GetFrameCount() - 1;
    j["card"] = card ? rect_json(g_card) : nlohmann::json();
    j["panel"] = panel_known() ? rect_json(g_panel.shown) : nlohmann::json();
    j["panel_full"] = panel_known() ? rect_json(g_panel.full) : nlohmann::json();
    // The top-level windows drawn this frame (the completion list of a name field is "##picker_list_...").
    nlohmann::json shown = nlohmann::json::array();
    for (ImGuiWindow* win : ImGui::GetCurrentContext()->Windows)
        if (win->WasActive && !(win->Flags & ImGuiWindowFlags_ChildWindow)) shown.push_back(win->Name);
    j["windows"] = shown;
    if (n > 0) {
        const Step& s = step(n);
        j["title"] = s.title;
        j["body"] = s.body;
        j["text"] = g_text;
        j["choices"] = choices_of(s);
        j["answer"] = s.answer;
        j["answered"] = g_choice;
        j["placement"] = g_below ? "below" : "beside";
        nlohmann::json b = nlohmann::json::array();
        for (const auto& [label, r] : g_buttons) b.push_back({{"label", label}, {"rect", rect_json(r)}});
        j["buttons"] = b;
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

static OverlayRegistrar tour_overlay(draw_card);

}  // namespace factlab::tour
