// cli.hpp: factlab-cli's subcommands register themselves here, one file each.
//   static const factlab::cli::Command reg{"lookup", "lookup [--facts F] [--model DIR] [--json] SUBJECT", run_lookup};
#pragma once
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/block/model.hpp"

namespace factlab::cli {

using Args = std::vector<std::string>;                 // arguments after the subcommand
using Run = int (*)(const Args&);                       // returns the process exit code

struct Command {
    Command(const char* name, const char* usage, Run run);
};

// Small argument helpers: flags are --name VALUE or --name (boolean).
bool has_flag(const Args& a, const char* name);
// Value of --name, or `fallback` when absent; sets *error when given without a value.
std::string flag_value(const Args& a, const char* name, const std::string& fallback, bool* error = nullptr);
// Integer/float flag with bounds; prints a clear message and returns false on bad input.
bool int_flag(const Args& a, const char* name, long long fallback, long long lo, long long hi, long long* out);
bool float_flag(const Args& a, const char* name, double fallback, double lo, double hi, double* out);
// Positional arguments (those not part of a --flag VALUE pair); `valued` lists flags that take a value.
std::vector<std::string> positionals(const Args& a, const std::vector<std::string>& valued);

// Loads facts from --facts FILE (or the built-in set); prints errors with line numbers.
bool load_facts_arg(const Args& a, FactSet* out);
// The model to answer from: --model DIR when given, else compiled from the facts.
bool load_model_arg(const Args& a, const FactSet& fs, Model* out);

int fail(const std::string& message);                   // prints "factlab-cli: message", returns 2

// `factlab-cli gpt SUB ...` (main.cpp dispatches; `a` holds the arguments after SUB):
int cli_gpt_train(const Args& a);                       // gpt train  (cli_gpt_train.cpp)
int cli_gpt_eval(const Args& a);                        // gpt eval   (cli_gpt_train.cpp)
int cli_gpt(const std::string& sub, const Args& a);     // every other gpt SUB (cli_gpt.cpp)

}  // namespace factlab::cli
