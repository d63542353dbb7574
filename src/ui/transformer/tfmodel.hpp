// tfmodel.hpp: the one place the transformer lab reaches into src/core/gpt beyond
// the model and the tokenizer: loading the built-in model (and, as they land, the
// analyses). The views call these, so a change in the core's API is fixed here.
#pragma once
#include <string>
#include "ui/transformer/tflab.hpp"

namespace factlab {

// The built-in transformer (embedded in the core library) with its vocabulary and
// the facts it was trained on. False with a message when the build has none.
bool tf_load_builtin(TfModel* m, std::string* error);

}  // namespace factlab
