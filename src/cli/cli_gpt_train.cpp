// cli_gpt_train.cpp: `gpt train` and `gpt eval` (the transformer's training and accuracy).
#include "cli/cli.hpp"

namespace factlab::cli {

int cli_gpt_train(const Args&) { return fail("gpt train: not implemented yet"); }
int cli_gpt_eval(const Args&) { return fail("gpt eval: not implemented yet"); }

}  // namespace factlab::cli
