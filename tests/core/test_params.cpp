// test_params.cpp: the parameter arithmetic the video shows for GPT-3.
#include <doctest/doctest.h>
#include "core/facts.hpp"
#include "core/block/model.hpp"
#include "core/block/train.hpp"

using namespace factlab;

TEST_CASE("params: GPT-3 MLP counts match the video") {
    ParamCount p = count_mlp_params(12288, 4 * 12288, 96);
    CHECK(p.per_matrix == 603979776.0);                       // W_up and W_down each
    CHECK(p.biases_per_block == 49152.0 + 12288.0);
    CHECK(p.per_block == 1207959552.0);                       // weights only, "≈ 1.2 B"
    CHECK(p.all_mlps == 115964116992.0);                      // weights only, "≈ 116 B"
    CHECK(p.per_block_with_biases == 1207959552.0 + 61440.0);
    CHECK(p.all_mlps_with_biases == 96.0 * (1207959552.0 + 61440.0));
    double share = p.all_mlps / 175e9;                        // "about two thirds of 175 B"
    CHECK(share > 0.66);
    CHECK(share < 0.67);
}

TEST_CASE("params: a toy block") {
    ParamCount p = count_mlp_params(256, 277, 1);
    CHECK(p.per_matrix == 256.0 * 277.0);
    CHECK(p.per_block == 2.0 * 256.0 * 277.0);
    CHECK(p.all_mlps == p.per_block);
    CHECK(p.per_block_with_biases == p.per_block + 256.0 + 277.0);
    ParamCount z = count_mlp_params(0, 0, 0);
    CHECK(z.all_mlps == 0.0);
}

// The compiled model's count (the params view's "This toy model" note, the
// learning view's caption, the sweep's ring and `factlab-cli train`) is one
// function: the same convention as a learned block without b_down.
TEST_CASE("params: compiled_params counts the compiled model's W_up, b_up and W_down") {
    FactSet fs = builtin_facts();
    REQUIRE(fs.subjects.size() == 277);
    Model m = compile_model(fs, CompileOptions{});
    long long counted = (long long)(m.mlp.W_up.size() + m.mlp.b_up.size() + m.mlp.W_down.size());
    CHECK(compiled_params(m.mlp.hidden(), m.d()) == counted);
    CHECK(compiled_params(277, 256) == 142101);                // 277 · (2 · 256 + 1)
    CHECK(compiled_params(277, 256) == trained_params(256, 277, false));
    CHECK(count_mlp_params(256, 277, 1).per_block_with_biases == 142101.0 + 256.0);   // + b_down: 142,357
}
