// csv_export.hpp: the text of the capacity lab's CSV exports (ablation,
// activations), apart from their views so the tests read exactly what a
// reader downloads. Every text field goes through append_csv_field (RFC 4180:
// quotes doubled), so a subject like `Shaquille "Shaq" O'Neal` reads back.
#pragma once
#include <cstdio>
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/block/mlp.hpp"

namespace factlab {

struct BrokenFact { int fact; std::string now; };   // a fact of fs and the answer it now gets

// subject,relation,object,answer_after_ablation: one row per broken fact.
inline std::string ablation_csv(const FactSet& fs, const std::vector<BrokenFact>& broken) {
    std::string s = "subject,relation,object,answer_after_ablation\n";
    for (const BrokenFact& b : broken) {
        const Fact& F = fs.facts[size_t(b.fact)];
        append_csv_field(s, F.subject);
        s += ',';
        append_csv_field(s, F.relation);
        s += ',';
        append_csv_field(s, F.object);
        s += ',';
        append_csv_field(s, b.now);
        s += '\n';
    }
    return s;
}

// subject,n0,n1,...: one row per subject (column c of H (h, n) is subjects[c]).
inline std::string activations_csv(const std::vector<std::string>& subjects, const Mat& H) {
    std::string s = "subject";
    for (int j = 0; j < H.rows(); ++j) s += ",n" + std::to_string(j);
    s += '\n';
    char buf[32];
    for (int c = 0; c < H.cols() && size_t(c) < subjects.size(); ++c) {
        append_csv_field(s, subjects[size_t(c)]);
        for (int j = 0; j < H.rows(); ++j) { std::snprintf(buf, sizeof buf, ",%.5g", double(H(j, c))); s += buf; }
        s += '\n';
    }
    return s;
}

}  // namespace factlab
