// tfmodel.cpp: see tfmodel.hpp.
#include "ui/transformer/tfmodel.hpp"

namespace factlab {

bool tf_load_builtin(TfModel* m, std::string* error) {
    m->name = "built-in transformer";
    m->facts = builtin_facts();
    *error = "This build has no built-in transformer yet.";
    return false;
}

}  // namespace factlab
