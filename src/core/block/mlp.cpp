// mlp.cpp: the MLP block's forward pass and its activations (see mlp.hpp).
//
// Legend: d = d_model, h = hidden, n = batch size.
// The activations are evaluated in double and rounded to float, so an ulp of
// difference between libms (glibc natively, musl in wasm) almost never shows.
#include "core/block/mlp.hpp"

#include <cmath>
#include <cstring>

namespace factlab {

namespace {
constexpr double kSqrt2OverPi = 0.7978845608028654;   // sqrt(2 / pi)
constexpr double kGeluCubic = 0.044715;

bool ablated(const std::vector<unsigned char>* ablate, Eigen::Index i) {
    return ablate && size_t(i) < ablate->size() && (*ablate)[size_t(i)] != 0;
}
}  // namespace

const char* activation_name(Activation a) { return a == Activation::GELU ? "gelu" : "relu"; }

bool activation_from_name(const char* s, Activation* out) {
    if (!s) return false;
    Activation a;
    if (std::strcmp(s, "relu") == 0 || std::strcmp(s, "ReLU") == 0) a = Activation::ReLU;
    else if (std::strcmp(s, "gelu") == 0 || std::strcmp(s, "GELU") == 0) a = Activation::GELU;
    else return false;
    if (out) *out = a;
    return true;
}

float activate(Activation a, float x) {
    if (a == Activation::ReLU) return x > 0.0f ? x : 0.0f;
    double v = x;   // GELU, tanh form (as in GPT-2/3)
    return float(0.5 * v * (1.0 + std::tanh(kSqrt2OverPi * (v + kGeluCubic * v * v * v))));
}

float activate_grad(Activation a, float x) {
    if (a == Activation::ReLU) return x > 0.0f ? 1.0f : 0.0f;
    double v = x;
    double th = std::tanh(kSqrt2OverPi * (v + kGeluCubic * v * v * v));
    double dinner = kSqrt2OverPi * (1.0 + 3.0 * kGeluCubic * v * v);
    return float(0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * dinner);
}

bool mlp_shapes_ok(const Mlp& m) {
    const Eigen::Index h = m.W_up.rows(), d = m.W_up.cols();
    return m.b_up.size() == h && m.W_down.rows() == d && m.W_down.cols() == h && m.b_down.size() == d;
}

void mlp_forward(const Mlp& m, const Eigen::Ref<const Vec>& E, Trace& t,
                 const std::vector<unsigned char>* ablate) {
    const Eigen::Index h = m.W_up.rows(), d = m.W_up.cols();
    t.E = E;                                                       // (d)
    if (!mlp_shapes_ok(m) || E.size() != d) {
        // A caller bug; answer "the block adds nothing" rather than read out of bounds.
        t.pre = Vec::Zero(h);
        t.post = Vec::Zero(h);
        t.delta = Vec::Zero(E.size());
        t.out = t.E;
        return;
    }
    t.pre.noalias() = m.W_up * E;                                  // (h) = (h, d)(d)
    t.pre += m.b_up;
    t.post.resize(h);                                              // (h)
    for (Eigen::Index i = 0; i < h; ++i) t.post[i] = ablated(ablate, i) ? 0.0f : activate(m.act, t.pre[i]);
    t.delta.noalias() = m.W_down * t.post;                         // (d) = (d, h)(h)
    t.delta += m.b_down;
    t.out = t.E + t.delta;                                         // (d)
}

void mlp_forward_batch(const Mlp& m, const Eigen::Ref<const Mat>& X, Mat& H, Mat& OUT,
                       const std::vector<unsigned char>* ablate) {
    const Eigen::Index h = m.W_up.rows(), d = m.W_up.cols(), n = X.cols();
    if (!mlp_shapes_ok(m) || X.rows() != d) {
        H = Mat::Zero(h, n);
        OUT = X;
        return;
    }
    H.noalias() = m.W_up * X;                                      // (h, n) = (h, d)(d, n)
    H.colwise() += m.b_up;
    for (Eigen::Index j = 0; j < n; ++j)                           // column-major: walk down columns
        for (Eigen::Index i = 0; i < h; ++i) H(i, j) = activate(m.act, H(i, j));
    for (Eigen::Index i = 0; i < h; ++i)
        if (ablated(ablate, i)) H.row(i).setZero();
    OUT = X;                                                       // (d, n)
    OUT.noalias() += m.W_down * H;                                 // (d, h)(h, n)
    OUT.colwise() += m.b_down;
}

}  // namespace factlab
