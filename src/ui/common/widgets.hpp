// widgets.hpp: small widgets and model helpers shared by the lab's views.
//
// [SECTION] Text and layout: captions, step headings, chips, flowing rows
// [SECTION] Subject picker: type a name with completion, or free text
// [SECTION] Model helpers: the subject's neuron, named directions, all-subject table
#pragma once
#include <string>
#include <string_view>
#include <vector>
#include <imgui.h>
#include "core/block/model.hpp"
#include "ui/common/app.hpp"

namespace factlab::ui {

//-----------------------------------------------------------------------------
// [SECTION] Text and layout
//-----------------------------------------------------------------------------
float Em(float n);                                    // n font sizes, in pixels
bool Narrow(const ViewCtx& ctx);                      // a phone-width panel: stack, don't align
void Caption(const char* text);                       // the view's one-line plain-English caption (wrapped)
void Note(const char* fmt, ...) IM_FMTARGS(1);         // secondary wrapped text
void StepHeading(const char* number, const char* title, ImU32 accent);   // "1  W_up asks questions"
void Arrow(const char* words);                        // "↓ words" between two steps
// ImGui::SetTooltip, wrapped to fit a phone's width (a tooltip wider than the
// screen is cut off there), at most 26 font sizes wide elsewhere.
void Tooltip(const char* fmt, ...) IM_FMTARGS(1);
// Items laid out left to right, wrapping to a new line when the next one does not fit.
struct Flow {
    bool first = true;
    void next(float item_width);                      // call before each item
    bool button(const char* label);                   // a wrapped small button (an action)
    bool choice(const char* label, bool selected = false);   // a wrapped choice chip (a suggestion, a preset)
    void chip(const char* text, ImU32 bg, ImU32 fg, const char* tooltip = nullptr);
};
// The colour for text about the one singled out (the studied neuron): theme::focus_ink().
ImU32 AccentText();
// Control styles (docs/palette.md): a tab is flat and underlined when current; a
// button is a filled rectangle; a text field has an outline, a white (dark: panel)
// inside and a placeholder; a choice chip is an outlined pill, filled when
// selected; a label has no frame at all.
bool TabButton(const char* label, bool active);
bool ChoiceChip(const char* label, bool selected);
void PushFieldStyle();                               // around ImGui::InputText*: the field look
void PopFieldStyle();
// The fraction bar of a probability in a table cell or line, `width` wide.
void ProgressBar(float fraction, float width, ImU32 col);

//-----------------------------------------------------------------------------
// [SECTION] Subject picker
//-----------------------------------------------------------------------------
// A text field with a completion list under it: typing filters `options`
// (name prefix, then word prefix, then substring; case-insensitive); Up/Down
// move the highlight, Enter or Tab or a click picks, Escape cancels. Enter on
// text that matches nothing commits the free text (unknown names are allowed).
// Returns true on the frame a choice is committed; *value then holds it.
// list_on_focus = false: the list opens only once the reader types (or presses
// Down), so a field focused on arrival covers nothing under it.
bool SubjectPicker(const char* id, std::string* value, const std::vector<std::string>& options,
                   float width, const char* hint = "Type a name...", bool list_on_focus = true);

// Free text with each token spelt as the model spells it when it matches one
// ignoring case ("michael smith" -> "Michael Smith"); unknown tokens stay as typed.
std::string canonical_subject(const Model& m, const std::string& text);
// Sets the studied subject (state "subject"), resetting the per-subject keys.
void set_subject(App& a, const std::string& name);
// Call once per frame from any view: when the subject changed since the last
// frame (picker, tour, link), clears the keys that belong to the old subject
// ("neuron", "gate_bias"), so a stale slider never applies to a new neuron.
void sync_subject_keys(App& a);

//-----------------------------------------------------------------------------
// [SECTION] Model helpers
//-----------------------------------------------------------------------------
// The neuron compiled for `subject` (by neuron_labels), or -1.
int subject_neuron(const Model& m, std::string_view subject);
// For a subject with no neuron of its own ("Jordan Michael", "Michael Smith"):
// the neuron the views show instead, and why. First a subject with the same
// words in other places ("Jordan Michael" -> Michael Jordan: the gate that
// tells them apart, silent for it), else the subject sharing most of its words
// in their roles (ties: the higher pre-activation), else the neuron it excites
// most. neuron is -1 for a subject that has its own.
struct StandIn { int neuron = -1; const char* why = ""; };
StandIn stand_in_neuron(App& a);
// The neuron the views talk about: state "neuron" when set, else the subject's
// own neuron, else its stand-in (the same one in every view).
int current_neuron(App& a);
std::string neuron_label(const Model& m, int i);     // "Michael Jordan" or "neuron 17"

struct NamedDot {
    bool object;          // false: token direction, true: object direction
    int id;               // row of Model::tokens or Model::objects
    float dot;
};
enum class Rank { ByAbs, Largest, Smallest };
// Dot products of a d-vector with the named directions, the top k by `rank`.
std::vector<NamedDot> top_named(const Model& m, const Eigen::Ref<const Vec>& v, int k, bool tokens,
                                bool objects, Rank rank = Rank::ByAbs);
std::string named_label(const Model& m, const NamedDot& n);
std::vector<int> top_indices(const Eigen::Ref<const Vec>& v, int k, Rank rank);

// Every known subject's residual vector, cached per model version. No (h, N)
// table of pre-activations: with one neuron per subject it grows as N² (1.6 GB
// at 20,000 subjects); views ask for one neuron's row instead (subject_pre).
struct SubjectTable {
    unsigned model_version = 0;
    std::vector<std::string> subjects;   // (N) the fact set's subjects
    Mat E;                               // (d, N) their residual vectors
};
const SubjectTable& subject_table(App& a);

// Neuron n's W_up·E + b_up for every subject (N), with the subjects ordered by it
// (largest first, ties in the fact set's order); cached for the last neuron asked.
// Empty when n is out of range or the model has no MLP of E's width.
struct SubjectPre {
    int neuron = -1;
    Vec pre;                             // (N)
    std::vector<int> order;              // (N) subject indices by pre, descending
    int fires = 0;                       // subjects with pre > 0
};
const SubjectPre& subject_pre(App& a, int n);

// The object the fact set stores for (subject, relation name), or "" when none.
std::string true_object(const App& a, const std::string& subject, const std::string& relation);

}  // namespace factlab::ui
