// tfui.hpp: widgets the transformer lab's views share: the prompt field with
// completion over the model's words, the prompt's tokens as chips with their
// positions (the subject marked by an outline, not a colour), the model line
// every figure carries, and the note shown when there is no model.
#pragma once
#include <string>
#include "ui/common/app.hpp"
#include "core/gpt/gate.hpp"
#include "ui/transformer/tflab.hpp"

namespace factlab::tfui {

// The prompt field (state tf_prompt): edits apply as typed; under it, the model's
// words that complete the word being typed, one click away. Returns true on a change.
bool PromptField(App& a, const TfModel& m, float width);
// The head of a view: with controls, its caption and the prompt field; in an embed
// without controls, "Prompt: ..." (an embed still names its prompt).
void PromptHeader(App& a, const TfModel& m, const ViewCtx& ctx, const char* caption, float width);
// The prompt's tokens as chips, position under each; the subject's outlined.
// `highlight` (a position, or -1) is drawn in the selection colour.
void TokenChips(const TfModel& m, const TfRun& r, int highlight = -1);
// "Model: built-in transformer: 2 layers, ..." in the caption style.
void ModelLine(const TfModel& m);
// Draws the reason there is nothing to show; true when the view should stop.
bool NoRun(const TfModel& m, const TfRun& r);
// The AND gate in the wild (core/gpt/gate.hpp) for the run's prompt and subject, K neurons
// in the ablation curve; cached for the last (model, prompt, K), shared by the wild and
// compare views. Null (and *error set) when the run has no subject or the gate fails.
const GptGate* Gate(App& a, const TfModel& m, const TfRun& r, int K, std::string* error);
// A known prompt a click away: the subject's first relation's templates, and the
// subject's name reversed ("Jordan Michael"), for the example buttons.
std::vector<std::string> ExamplePrompts(const TfModel& m);

}  // namespace factlab::tfui
