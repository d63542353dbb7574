// synthetic.cpp: seeded random fact sets (see synthetic.hpp).
#include "core/block/synthetic.hpp"

#include <cmath>
#include <unordered_set>
#include <vector>
#include "core/rng.hpp"

namespace factlab {

bool make_synthetic_facts(const SyntheticSpec& spec, FactSet* out, std::string* err) {
    if (spec.facts < 1 || spec.facts > 1000000) { *err = "synthetic facts must be between 1 and 1,000,000, got " + std::to_string(spec.facts); return false; }
    if (spec.relations < 1 || spec.relations > 64) { *err = "synthetic relations must be between 1 and 64, got " + std::to_string(spec.relations); return false; }
    if (spec.candidates < 2 || spec.candidates > 65536) { *err = "synthetic candidates must be between 2 and 65,536, got " + std::to_string(spec.candidates); return false; }
    if (spec.token_pool < 0 || spec.token_pool > 1000000) { *err = "synthetic token pool must be between 0 (auto) and 1,000,000"; return false; }
    const long long subjects = synthetic_subjects(spec.facts, spec.relations);
    long long pool = spec.token_pool;
    if (pool == 0) {                                 // pool·(pool−1)/2 ≥ 4·subjects, at least 16
        pool = 16;
        while (pool * (pool - 1) / 2 < 4 * subjects) ++pool;
    }
    if (pool * (pool - 1) / 2 < subjects) {
        *err = "a pool of " + std::to_string(pool) + " tokens has too few pairs for " + std::to_string(subjects) + " subjects";
        return false;
    }

    Rng rng(spec.seed);
    std::unordered_set<uint64_t> used;
    std::vector<Fact> facts;
    facts.reserve(size_t(spec.facts));
    for (long long s = 0; s < subjects; ++s) {
        uint32_t a, b;
        do {                                         // a fresh unordered pair a < b
            a = rng.below(uint32_t(pool));
            b = rng.below(uint32_t(pool));
            if (a > b) std::swap(a, b);
        } while (a == b || !used.insert((uint64_t(a) << 32) | b).second);
        const std::string name = "t" + std::to_string(a) + " t" + std::to_string(b);
        for (int r = 0; r < spec.relations && int(facts.size()) < spec.facts; ++r) {
            const uint32_t o = rng.below(uint32_t(spec.candidates));
            facts.push_back({name, "r" + std::to_string(r), "r" + std::to_string(r) + ":o" + std::to_string(o)});
        }
    }
    *out = make_fact_set(std::move(facts));
    return true;
}

FactSet make_synthetic_facts(int count, uint64_t seed, int relations, int candidates) {
    SyntheticSpec spec;
    spec.facts = count;
    spec.seed = seed;
    spec.relations = relations;
    spec.candidates = candidates;
    FactSet fs;
    std::string err;
    make_synthetic_facts(spec, &fs, &err);
    return fs;
}

}  // namespace factlab
