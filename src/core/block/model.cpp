// model.cpp: parameter counts of MLP blocks (the video's GPT-3 arithmetic).
#include "core/block/model.hpp"

namespace factlab {

ParamCount count_mlp_params(double d_model, double hidden, double layers) {
    ParamCount p;
    p.per_matrix = d_model * hidden;                   // W_up (hidden, d) and W_down (d, hidden) alike
    p.biases_per_block = hidden + d_model;             // b_up (hidden) + b_down (d)
    p.per_block = 2.0 * p.per_matrix;                  // weights only: GPT-3 ≈ 1.2 B
    p.all_mlps = layers * p.per_block;                 // weights only: GPT-3 ≈ 116 B
    p.per_block_with_biases = p.per_block + p.biases_per_block;
    p.all_mlps_with_biases = layers * p.per_block_with_biases;
    return p;
}

}  // namespace factlab
