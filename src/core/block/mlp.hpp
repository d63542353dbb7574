// mlp.hpp: the MLP block of a transformer, in the video's notation.
//
// Dimension legend:  d = d_model (residual width), h = hidden (neurons).
//   E      (d)      residual vector entering the block
//   W_up   (h, d)   each row asks a question of E (a dot product)
//   b_up   (h)      bias: shifts each question's threshold
//   W_down (d, h)   each column is written to the residual when its neuron fires
//   b_down (d)
//   out = E + W_down · act(W_up · E + b_up) + b_down
#pragma once
#include <Eigen/Core>
#include <vector>

namespace factlab {

using Mat = Eigen::MatrixXf;
using Vec = Eigen::VectorXf;

enum class Activation { ReLU, GELU };
const char* activation_name(Activation a);              // "relu" / "gelu"
bool activation_from_name(const char* s, Activation* out);

struct Mlp {
    Mat W_up;     // (h, d)
    Vec b_up;     // (h)
    Mat W_down;   // (d, h)
    Vec b_down;   // (d)
    Activation act = Activation::ReLU;
    int d() const { return int(W_up.cols()); }
    int hidden() const { return int(W_up.rows()); }
};

// Every intermediate vector of one forward pass, for the UI and the tests.
struct Trace {
    Vec E;        // (d)  input residual
    Vec pre;      // (h)  W_up·E + b_up
    Vec post;     // (h)  act(pre); may be masked by ablation
    Vec delta;    // (d)  W_down·post + b_down: what the block adds
    Vec out;      // (d)  E + delta
};

float activate(Activation a, float x);                  // relu(x) or gelu(x) (tanh form)
float activate_grad(Activation a, float x);             // derivative at x

// Forward pass. `ablate` (optional, size h): neurons with ablate[i] != 0 are zeroed.
void mlp_forward(const Mlp& m, const Eigen::Ref<const Vec>& E, Trace& t,
                 const std::vector<unsigned char>* ablate = nullptr);

// Batched forward for many inputs at once: X (d, n) -> OUT (d, n), H (h, n) post-activation.
// `ablate` as in mlp_forward.
void mlp_forward_batch(const Mlp& m, const Eigen::Ref<const Mat>& X, Mat& H, Mat& OUT,
                       const std::vector<unsigned char>* ablate = nullptr);

// True when W_up (h, d), b_up (h), W_down (d, h), b_down (d) agree.
bool mlp_shapes_ok(const Mlp& m);

}  // namespace factlab
