// reference.cpp: GPT-2's forward and backward in double, one sequence at a time, each
// formula written as it reads on paper. Tensor k of GptRefWeights::t is tensor k of
// GptWeights::tensors(): 0 wte, 1 wpe, then 12 per block, then ln_f weight and bias.
#include "core/gpt/reference.hpp"
#include <cmath>
#include <limits>

namespace factlab {
namespace {

using Md = Eigen::MatrixXd;
using Vd = Eigen::RowVectorXd;

// Index of a block's tensor in GptRefWeights::t.
enum { LN1_W, LN1_B, ATTN_W, ATTN_B, APROJ_W, APROJ_B, LN2_W, LN2_B, FC_W, FC_B, MPROJ_W, MPROJ_B, PER_BLOCK };
int at(int layer, int k) { return 2 + layer * PER_BLOCK + k; }

double gelu(double x) { return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x))); }
double gelu_grad(double x) {
    const double c = std::sqrt(2.0 / M_PI), t = std::tanh(c * (x + 0.044715 * x * x * x));
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x);
}

// y = (x - mean) / sqrt(var + eps) * g + b, row by row.
Md layernorm(const Md& x, const Md& g, const Md& b, double eps) {
    Md y(x.rows(), x.cols());
    for (int r = 0; r < x.rows(); ++r) {
        const double mean = x.row(r).mean();
        const double var = (x.row(r).array() - mean).square().mean();
        for (int c = 0; c < x.cols(); ++c) y(r, c) = (x(r, c) - mean) / std::sqrt(var + eps) * g(0, c) + b(0, c);
    }
    return y;
}

// Backward of layernorm: returns dx; adds to dg, db.
Md layernorm_backward(const Md& x, const Md& g, double eps, const Md& dy, Md* dg, Md* db) {
    const int n = int(x.cols());
    Md dx(x.rows(), n);
    for (int r = 0; r < x.rows(); ++r) {
        const double mean = x.row(r).mean();
        const double var = (x.row(r).array() - mean).square().mean();
        const double s = 1.0 / std::sqrt(var + eps);
        Vd xhat = (x.row(r).array() - mean) * s;
        Vd dxhat = dy.row(r).array() * g.row(0).array();
        dg->row(0).array() += dy.row(r).array() * xhat.array();
        db->row(0) += dy.row(r);
        dx.row(r) = s * (dxhat.array() - dxhat.mean() - xhat.array() * (dxhat.array() * xhat.array()).mean());
    }
    return dx;
}

Md affine(const Md& x, const Md& W, const Md& b) { return (x * W).rowwise() + b.row(0); }

struct LayerState {          // one block's intermediates for backward
    Md x, a, qkv, z, x2, m, pre, post;
    std::vector<Md> P;
};

bool knocked(const GptIntervention* iv, int layer, int q, int k) {
    if (!iv) return false;
    for (const GptKnockout& ko : iv->knockouts)
        if (ko.layer == layer && ko.query == q)
            for (int kk : ko.keys) if (kk == k) return true;
    return false;
}
void patch(const GptIntervention* iv, int layer, GptSite site, Md* m) {
    if (!iv) return;
    for (const GptPatch& p : iv->patches)
        if (p.layer == layer && p.site == site) m->row(p.position) = p.value.cast<double>();
}

// Forward of one sequence; fills per-layer states and returns ln_f output.
Md forward(const GptRefWeights& w, const std::vector<int>& tok, const GptIntervention* iv,
           std::vector<LayerState>* st, GptRefCache* out) {
    const GptConfig& c = w.config;
    const int T = int(tok.size()), d = c.n_embd, H = c.n_head, dh = d / H, L = c.n_layer;
    const double eps = c.layer_norm_epsilon;
    Md x(T, d);
    for (int i = 0; i < T; ++i) x.row(i) = w.t[0].row(tok[i]);
    if (iv)
        for (size_t k = 0; k < iv->noise_positions.size(); ++k) x.row(iv->noise_positions[k]) += iv->noise.row(k).cast<double>();
    for (int i = 0; i < T; ++i) x.row(i) += w.t[1].row(i);
    st->assign(L, LayerState{});
    if (out) { out->resid_post.clear(); out->attn_out.clear(); out->mlp_pre.clear(); out->mlp_post.clear(); out->mlp_out.clear(); out->pattern.clear(); }
    for (int l = 0; l < L; ++l) {
        LayerState& s = (*st)[l];
        s.x = x;
        s.a = layernorm(x, w.t[at(l, LN1_W)], w.t[at(l, LN1_B)], eps);
        s.qkv = affine(s.a, w.t[at(l, ATTN_W)], w.t[at(l, ATTN_B)]);
        s.z = Md::Zero(T, d);
        s.P.assign(H, Md::Zero(T, T));
        for (int h = 0; h < H; ++h) {
            const Md Q = s.qkv.middleCols(h * dh, dh), K = s.qkv.middleCols(d + h * dh, dh), V = s.qkv.middleCols(2 * d + h * dh, dh);
            const Md S = Q * K.transpose() / std::sqrt(double(dh));
            for (int i = 0; i < T; ++i) {
                double mx = -std::numeric_limits<double>::infinity();
                for (int j = 0; j <= i; ++j) if (!knocked(iv, l, i, j)) mx = std::max(mx, S(i, j));
                if (mx == -std::numeric_limits<double>::infinity()) continue;   // all keys blocked: row of zeros
                double sum = 0;
                for (int j = 0; j <= i; ++j) if (!knocked(iv, l, i, j)) sum += std::exp(S(i, j) - mx);
                for (int j = 0; j <= i; ++j) s.P[h](i, j) = knocked(iv, l, i, j) ? 0.0 : std::exp(S(i, j) - mx) / sum;
            }
            s.z.middleCols(h * dh, dh) = s.P[h] * V;
        }
        Md attn = affine(s.z, w.t[at(l, APROJ_W)], w.t[at(l, APROJ_B)]);
        patch(iv, l, GptSite::attn_out, &attn);
        s.x2 = x + attn;
        s.m = layernorm(s.x2, w.t[at(l, LN2_W)], w.t[at(l, LN2_B)], eps);
        s.pre = affine(s.m, w.t[at(l, FC_W)], w.t[at(l, FC_B)]);
        s.post = s.pre.unaryExpr([](double v) { return gelu(v); });
        if (iv)
            for (const GptAblation& ab : iv->ablations)
                if (ab.layer == l)
                    for (int i = 0; i < T; ++i)
                        if (ab.position < 0 || ab.position == i)
                            for (int n : ab.neurons) s.post(i, n) = 0.0;
        Md mlp = affine(s.post, w.t[at(l, MPROJ_W)], w.t[at(l, MPROJ_B)]);
        patch(iv, l, GptSite::mlp_out, &mlp);
        x = s.x2 + mlp;
        patch(iv, l, GptSite::resid_post, &x);
        if (out) {
            out->resid_post.push_back(x); out->attn_out.push_back(attn); out->mlp_pre.push_back(s.pre);
            out->mlp_post.push_back(s.post); out->mlp_out.push_back(mlp); out->pattern.push_back(s.P);
        }
    }
    st->push_back(LayerState{});
    st->back().x = x;                                    // the last block's output, for ln_f backward
    return layernorm(x, w.t[2 + L * PER_BLOCK], w.t[3 + L * PER_BLOCK], eps);
}

}  // namespace

GptRefWeights GptRefWeights::from(const GptWeights& w) {
    GptRefWeights r;
    r.config = w.config;
    for (const GptConstTensor& t : w.tensors()) {
        const int rows = t.shape.size() == 2 ? t.shape[0] : 1, cols = t.shape.back();
        Md m(rows, cols);
        for (int i = 0; i < rows; ++i)
            for (int j = 0; j < cols; ++j) m(i, j) = t.data[int64_t(i) * cols + j];
        r.t.push_back(m);
    }
    return r;
}

void gpt_reference_forward(const GptRefWeights& w, const std::vector<int>& tokens, const GptIntervention* iv, GptRefCache* out) {
    std::vector<LayerState> st;
    out->ln_f = forward(w, tokens, iv, &st, out);
    out->logits = out->ln_f * w.t[0].transpose();
}

double gpt_reference_loss_and_grad(const GptRefWeights& w, const GptBatch& batch, std::vector<Md>* grad) {
    const GptConfig& c = w.config;
    const int d = c.n_embd, H = c.n_head, dh = d / H, L = c.n_layer;
    const double eps = c.layer_norm_epsilon;
    if (grad) {
        grad->clear();
        for (const Md& t : w.t) grad->push_back(Md::Zero(t.rows(), t.cols()));
    }
    double loss = 0;
    for (size_t b = 0; b + 1 < batch.starts.size(); ++b) {
        const int s0 = batch.starts[b], T = batch.starts[b + 1] - s0;
        const std::vector<int> tok(batch.tokens.begin() + s0, batch.tokens.begin() + s0 + T);
        std::vector<LayerState> st;
        const Md lnf = forward(w, tok, nullptr, &st, nullptr);
        const Md logits = lnf * w.t[0].transpose();         // (T, V)
        Md dlogits = Md::Zero(T, c.vocab_size);
        for (int i = 0; i < T; ++i) {
            const int y = batch.targets[s0 + i];
            if (y < 0) continue;
            const double mx = logits.row(i).maxCoeff();
            const Vd e = (logits.row(i).array() - mx).exp();
            const double sum = e.sum();
            loss -= std::log(e(y) / sum);
            dlogits.row(i) = e / sum;
            dlogits(i, y) -= 1.0;
        }
        if (!grad) continue;
        std::vector<Md>& g = *grad;
        // logits = lnf wte^T
        g[0] += dlogits.transpose() * lnf;
        Md dx = layernorm_backward(st[L].x, w.t[2 + L * PER_BLOCK], eps, dlogits * w.t[0], &g[2 + L * PER_BLOCK], &g[3 + L * PER_BLOCK]);
        for (int l = L - 1; l >= 0; --l) {
            const LayerState& s = st[l];
            // x_out = x2 + post Wp + bp, post = gelu(pre), pre = m Wfc + bfc, m = ln_2(x2)
            g[at(l, MPROJ_W)] += s.post.transpose() * dx;
            g[at(l, MPROJ_B)] += dx.colwise().sum();
            const Md dpre = (dx * w.t[at(l, MPROJ_W)].transpose()).cwiseProduct(s.pre.unaryExpr([](double v) { return gelu_grad(v); }));
            g[at(l, FC_W)] += s.m.transpose() * dpre;
            g[at(l, FC_B)] += dpre.colwise().sum();
            Md dx2 = dx + layernorm_backward(s.x2, w.t[at(l, LN2_W)], eps, dpre * w.t[at(l, FC_W)].transpose(), &g[at(l, LN2_W)], &g[at(l, LN2_B)]);
            // x2 = x + z Wa + ba, z = heads of P V
            g[at(l, APROJ_W)] += s.z.transpose() * dx2;
            g[at(l, APROJ_B)] += dx2.colwise().sum();
            const Md dz = dx2 * w.t[at(l, APROJ_W)].transpose();
            Md dqkv = Md::Zero(T, 3 * d);
            for (int h = 0; h < H; ++h) {
                const Md Q = s.qkv.middleCols(h * dh, dh), K = s.qkv.middleCols(d + h * dh, dh), V = s.qkv.middleCols(2 * d + h * dh, dh);
                const Md& P = s.P[h];
                const Md dZ = dz.middleCols(h * dh, dh);
                const Md dP = dZ * V.transpose();
                Md dS(T, T);                                   // softmax backward, row by row
                for (int i = 0; i < T; ++i) {
                    const double r = (P.row(i).array() * dP.row(i).array()).sum();
                    dS.row(i) = P.row(i).array() * (dP.row(i).array() - r);
                }
                dS /= std::sqrt(double(dh));
                dqkv.middleCols(h * dh, dh) = dS * K;
                dqkv.middleCols(d + h * dh, dh) = dS.transpose() * Q;
                dqkv.middleCols(2 * d + h * dh, dh) = P.transpose() * dZ;
            }
            g[at(l, ATTN_W)] += s.a.transpose() * dqkv;
            g[at(l, ATTN_B)] += dqkv.colwise().sum();
            dx = dx2 + layernorm_backward(s.x, w.t[at(l, LN1_W)], eps, dqkv * w.t[at(l, ATTN_W)].transpose(), &g[at(l, LN1_W)], &g[at(l, LN1_B)]);
        }
        for (int i = 0; i < T; ++i) { g[0].row(tok[i]) += dx.row(i); g[1].row(i) += dx.row(i); }
    }
    return loss;
}

}  // namespace factlab
