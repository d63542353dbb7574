// synthetic.hpp: random fact sets for capacity studies.
//
// Subjects are two-token names drawn from a token pool ("t12 t305"), each
// unordered pair used once, so E = t_a + t_b differs for every subject.
// Relations r0..r{R-1} each have their own objects ("r0:o17"), drawn uniformly,
// so a fact holds log2(candidates) bits and the set holds facts × log2(C).
// Facts are laid out subject by subject: subject 0 gets r0..r{R-1}, then
// subject 1, and so on until `facts` facts exist. Same seed, same set.
#pragma once
#include <cstdint>
#include <string>
#include "core/facts.hpp"

namespace factlab {

struct SyntheticSpec {
    int facts = 1000;           // total facts, 1..1,000,000
    int relations = 1;          // 1..64
    int candidates = 16;        // objects per relation, 2..65,536
    int token_pool = 0;         // tokens to draw names from; 0: enough for ~4x as many pairs as subjects
    uint64_t seed = 1;
};

// False with a message when the spec is out of bounds (or the pool has too few pairs).
bool make_synthetic_facts(const SyntheticSpec& spec, FactSet* out, std::string* err);

// Shorthand: `count` facts, one relation with `candidates` objects per relation.
FactSet make_synthetic_facts(int count, uint64_t seed, int relations = 1, int candidates = 16);

// Subjects needed for `facts` facts with `relations` relations each (rounded up).
inline int synthetic_subjects(int facts, int relations) { return (facts + relations - 1) / relations; }

}  // namespace factlab
