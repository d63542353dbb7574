// model.cpp: config checks, weights (init, tensor list), forward and backward.
// The batched GEMMs go through Eigen over every token of a batch at once; the small,
// per-sequence parts (LayerNorm, attention, GELU, softmax) are plain loops in a fixed
// order, so they round alike on every platform. See reference.cpp for the plain version
// the tests compare against.
#include "core/gpt/model.hpp"
#include <algorithm>
#include <cmath>
#include <limits>
#include "core/gpt/kernels.hpp"
#include "core/rng.hpp"

namespace factlab {

// ---- config ------------------------------------------------------------------------

bool GptConfig::validate(std::string* error) const {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    auto range = [&](const char* name, int v, int lo, int hi) {
        if (v >= lo && v <= hi) return true;
        return bad(std::string(name) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                   ", got " + std::to_string(v));
    };
    if (!range("n_layer", n_layer, 1, 64) || !range("n_head", n_head, 1, 64) || !range("n_embd", n_embd, 1, 4096) ||
        !range("n_positions", n_positions, 1, 4096) || !range("vocab_size", vocab_size, 1, 1000000) ||
        !range("n_inner", n_inner, 1, 16384))
        return false;
    if (n_embd % n_head != 0)
        return bad("n_embd (" + std::to_string(n_embd) + ") must be a multiple of n_head (" + std::to_string(n_head) + ")");
    if (!std::isfinite(layer_norm_epsilon) || layer_norm_epsilon <= 0.f || layer_norm_epsilon > 1.f)
        return bad("layer_norm_epsilon must be in (0, 1]");
    if (n_params() > 100000000LL) return bad("the model would have " + std::to_string(n_params()) + " weights (at most 100,000,000)");
    return true;
}

int64_t GptConfig::n_params() const {
    const int64_t d = n_embd, F = n_inner;
    const int64_t block = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * F + F) + (F * d + d);
    return int64_t(vocab_size) * d + int64_t(n_positions) * d + n_layer * block + 2 * d;
}

// ---- weights -------------------------------------------------------------------------

int64_t GptTensor::size() const { int64_t n = 1; for (int s : shape) n *= s; return n; }
int64_t GptConstTensor::size() const { int64_t n = 1; for (int s : shape) n *= s; return n; }

bool GptWeights::resize(const GptConfig& c, std::string* error) {
    if (!c.validate(error)) return false;
    const int d = c.n_embd, F = c.n_inner;
    config = c;
    wte = GptMatrix::Zero(c.vocab_size, d);
    wpe = GptMatrix::Zero(c.n_positions, d);
    h.assign(c.n_layer, GptBlock{});
    auto conv = [](GptConv1D& m, int in, int out) { m.weight = GptMatrix::Zero(in, out); m.bias = GptRow::Zero(out); };
    auto ln = [&](GptLayerNorm& m) { m.weight = GptRow::Zero(d); m.bias = GptRow::Zero(d); };
    for (GptBlock& b : h) {
        ln(b.ln_1); conv(b.attn.c_attn, d, 3 * d); conv(b.attn.c_proj, d, d);
        ln(b.ln_2); conv(b.mlp.c_fc, d, F); conv(b.mlp.c_proj, F, d);
    }
    ln(ln_f);
    return true;
}

void GptWeights::set_zero() {
    for (GptTensor& t : tensors()) std::fill(t.data, t.data + t.size(), 0.f);
}

void GptWeights::init(uint64_t seed) {
    Rng rng(seed);
    const float proj_std = 0.02f / std::sqrt(2.f * float(config.n_layer));
    for (GptTensor& t : tensors()) {
        const bool is_ln = t.name.find(".ln_") != std::string::npos;
        const bool is_bias = t.name.size() > 5 && t.name.compare(t.name.size() - 5, 5, ".bias") == 0;
        if (is_ln) { std::fill(t.data, t.data + t.size(), is_bias ? 0.f : 1.f); continue; }
        if (is_bias) { std::fill(t.data, t.data + t.size(), 0.f); continue; }
        const bool is_proj = t.name.find(".c_proj.weight") != std::string::npos;
        const double sd = is_proj ? double(proj_std) : 0.02;
        for (int64_t i = 0; i < t.size(); ++i) t.data[i] = float(sd * rng.normal());
    }
}

namespace {
template <class Tensor, class W>
std::vector<Tensor> list_tensors(W& w) {
    std::vector<Tensor> out;
    auto mat = [&](const std::string& name, auto& m) { out.push_back({name, {int(m.rows()), int(m.cols())}, m.data()}); };
    auto vec = [&](const std::string& name, auto& v) { out.push_back({name, {int(v.size())}, v.data()}); };
    auto ln = [&](const std::string& p, auto& m) { vec(p + ".weight", m.weight); vec(p + ".bias", m.bias); };
    auto conv = [&](const std::string& p, auto& m) { mat(p + ".weight", m.weight); vec(p + ".bias", m.bias); };
    mat("transformer.wte.weight", w.wte);
    mat("transformer.wpe.weight", w.wpe);
    for (size_t i = 0; i < w.h.size(); ++i) {
        const std::string p = "transformer.h." + std::to_string(i);
        ln(p + ".ln_1", w.h[i].ln_1);
        conv(p + ".attn.c_attn", w.h[i].attn.c_attn);
        conv(p + ".attn.c_proj", w.h[i].attn.c_proj);
        ln(p + ".ln_2", w.h[i].ln_2);
        conv(p + ".mlp.c_fc", w.h[i].mlp.c_fc);
        conv(p + ".mlp.c_proj", w.h[i].mlp.c_proj);
    }
    ln("transformer.ln_f", w.ln_f);
    return out;
}
}  // namespace

std::vector<GptTensor> GptWeights::tensors() { return list_tensors<GptTensor>(*this); }
std::vector<GptConstTensor> GptWeights::tensors() const { return list_tensors<GptConstTensor>(*this); }

bool GptWeights::finite(std::string* error) const {
    for (const GptConstTensor& t : tensors())
        for (int64_t i = 0; i < t.size(); ++i)
            if (!std::isfinite(t.data[i])) {
                if (error) *error = t.name + " has a non-finite value (NaN or infinity) at index " + std::to_string(i);
                return false;
            }
    return true;
}

// ---- interventions and batches: checks ---------------------------------------------------

bool GptIntervention::validate(const GptConfig& c, int T, std::string* error) const {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    auto pos_ok = [&](int p) { return p >= 0 && p < T; };
    if (noise.rows() != int(noise_positions.size()) || (noise.rows() > 0 && noise.cols() != c.n_embd))
        return bad("noise must be (noise positions, n_embd)");
    for (int p : noise_positions) if (!pos_ok(p)) return bad("noise position " + std::to_string(p) + " is outside the prompt");
    for (const GptPatch& p : patches) {
        if (p.layer < 0 || p.layer >= c.n_layer) return bad("patch layer " + std::to_string(p.layer) + " out of range");
        if (!pos_ok(p.position)) return bad("patch position " + std::to_string(p.position) + " is outside the prompt");
        if (p.value.size() != c.n_embd) return bad("a patch's value must have n_embd entries");
    }
    for (const GptKnockout& k : knockouts) {
        if (k.layer < 0 || k.layer >= c.n_layer) return bad("knockout layer " + std::to_string(k.layer) + " out of range");
        if (!pos_ok(k.query)) return bad("knockout query " + std::to_string(k.query) + " is outside the prompt");
        for (int key : k.keys) if (!pos_ok(key)) return bad("knockout key " + std::to_string(key) + " is outside the prompt");
    }
    for (const GptAblation& a : ablations) {
        if (a.layer < 0 || a.layer >= c.n_layer) return bad("ablation layer " + std::to_string(a.layer) + " out of range");
        if (a.position != -1 && !pos_ok(a.position)) return bad("ablation position " + std::to_string(a.position) + " is outside the prompt");
        for (int n : a.neurons) if (n < 0 || n >= c.n_inner) return bad("neuron " + std::to_string(n) + " out of range");
    }
    return true;
}

int GptBatch::n_targets() const {
    int n = 0;
    for (int t : targets) n += t >= 0;
    return n;
}

bool GptBatch::validate(const GptConfig& c, std::string* error) const {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    if (starts.size() < 2 || starts.front() != 0 || starts.back() != int(tokens.size()))
        return bad("batch starts must run from 0 to the token count");
    if (targets.size() != tokens.size()) return bad("batch targets must have one entry per token");
    for (size_t b = 0; b + 1 < starts.size(); ++b) {
        const int len = starts[b + 1] - starts[b];
        if (len < 1 || len > c.n_positions)
            return bad("sequence " + std::to_string(b) + " has " + std::to_string(len) + " tokens (1 to " +
                       std::to_string(c.n_positions) + ")");
    }
    for (int t : tokens) if (t < 0 || t >= c.vocab_size) return bad("token id " + std::to_string(t) + " out of range");
    for (int t : targets) if (t < -1 || t >= c.vocab_size) return bad("target id " + std::to_string(t) + " out of range");
    return true;
}

// ---- kernels ---------------------------------------------------------------------------
namespace {

// y[r] = layernorm(x[r]) for rows [r0, x.rows()); rstd[r] saved for backward.
void layernorm_rows(const GptMatrix& x, const GptLayerNorm& ln, float eps, int r0, GptMatrix* y, Eigen::VectorXf* rstd) {
    const int d = int(x.cols());
    for (int r = r0; r < x.rows(); ++r) {
        const float* xr = x.data() + int64_t(r) * d;
        float* yr = y->data() + int64_t(r) * d;
        float mean = 0.f;
        for (int c = 0; c < d; ++c) mean += xr[c];
        mean /= float(d);
        float var = 0.f;
        for (int c = 0; c < d; ++c) { const float z = xr[c] - mean; var += z * z; }
        var /= float(d);
        const float s = 1.f / std::sqrt(var + eps);
        (*rstd)[r] = s;
        for (int c = 0; c < d; ++c) yr[c] = (xr[c] - mean) * s * ln.weight[c] + ln.bias[c];
    }
}

// dx[r] += layernorm backward for every row; dweight, dbias accumulated (times 1).
void layernorm_backward(const GptMatrix& x, const Eigen::VectorXf& rstd, const GptLayerNorm& ln, const GptMatrix& dy,
                        GptMatrix* dx, GptLayerNorm* dln, std::vector<float>& xhat) {
    const int d = int(x.cols());
    xhat.resize(d);
    for (int r = 0; r < x.rows(); ++r) {
        const float* xr = x.data() + int64_t(r) * d;
        const float* dyr = dy.data() + int64_t(r) * d;
        float* dxr = dx->data() + int64_t(r) * d;
        float mean = 0.f;
        for (int c = 0; c < d; ++c) mean += xr[c];
        mean /= float(d);
        const float s = rstd[r];
        float m1 = 0.f, m2 = 0.f;                   // mean(dxhat), mean(dxhat * xhat)
        for (int c = 0; c < d; ++c) {
            xhat[c] = (xr[c] - mean) * s;
            const float g = dyr[c] * ln.weight[c];
            m1 += g;
            m2 += g * xhat[c];
            dln->weight[c] += dyr[c] * xhat[c];
            dln->bias[c] += dyr[c];
        }
        m1 /= float(d);
        m2 /= float(d);
        for (int c = 0; c < d; ++c) dxr[c] += s * (dyr[c] * ln.weight[c] - m1 - xhat[c] * m2);
    }
}

// Y rows [r0, N) = X rows [r0, N) W + b.
void conv_rows(const GptMatrix& X, const GptConv1D& m, int r0, GptMatrix* Y) {
    const int n = int(X.rows()) - r0, in = int(X.cols()), out = int(m.weight.cols());
    if (n <= 0) return;
    gptk::gemm(n, out, in, X.data() + int64_t(r0) * in, in, 1, m.weight.data(), out, Y->data() + int64_t(r0) * out, out, false);
    Y->middleRows(r0, n).rowwise() += m.bias;
}

// Backward of Y = X W + b: dW += X^T dY, db += column sums (rows in order), dX = dY W^T.
void conv_backward(const GptMatrix& X, const GptConv1D& m, const GptMatrix& dY, GptConv1D* dm, GptMatrix* dX,
                   GptMatrix* wt) {
    const int rows = int(X.rows()), in = int(X.cols()), out = int(dY.cols());
    gptk::gemm(in, out, rows, X.data(), 1, in, dY.data(), out, dm->weight.data(), out, true);
    for (int r = 0; r < rows; ++r) {
        const float* row = dY.data() + int64_t(r) * out;
        for (int c = 0; c < out; ++c) dm->bias[c] += row[c];
    }
    if (!dX) return;
    *wt = m.weight.transpose();                                    // (out, in)
    gptk::gemm(rows, in, out, dY.data(), out, 1, wt->data(), in, dX->data(), in, false);
}

struct Segment { int start, len, first_query; };

bool knocked(const GptIntervention* iv, int layer, int query, int key) {
    if (!iv) return false;
    for (const GptKnockout& k : iv->knockouts)
        if (k.layer == layer && k.query == query)
            for (int kk : k.keys) if (kk == key) return true;
    return false;
}

// Causal attention of one layer for the queries of each segment from first_query on.
// qkv (N, 3d); pattern[h] (N, Tmax); z (N, d).
void attention_rows(const GptLayerCache& lc, int layer, int H, const std::vector<Segment>& segs,
                    const GptIntervention* iv, std::vector<GptMatrix>* pattern, GptMatrix* z) {
    const int d = int(z->cols()), dh = d / H, ld = 3 * d;
    const float scale = 1.f / std::sqrt(float(dh));
    const float* qkv = lc.qkv.data();
    std::vector<float> s;
    for (const Segment& sg : segs) {
        for (int h = 0; h < H; ++h) {
            GptMatrix& P = (*pattern)[h];
            for (int i = sg.first_query; i < sg.len; ++i) {
                const int qi = sg.start + i;
                const float* q = qkv + int64_t(qi) * ld + h * dh;
                s.assign(i + 1, 0.f);
                float mx = -std::numeric_limits<float>::infinity();
                for (int j = 0; j <= i; ++j) {
                    const float* k = qkv + int64_t(sg.start + j) * ld + d + h * dh;
                    float dot = 0.f;
                    for (int c = 0; c < dh; ++c) dot += q[c] * k[c];
                    s[j] = knocked(iv, layer, i, j) ? -std::numeric_limits<float>::infinity() : dot * scale;
                    mx = std::max(mx, s[j]);
                }
                float* prow = P.data() + int64_t(qi) * P.cols();
                float* zr = z->data() + int64_t(qi) * d + h * dh;
                for (int c = 0; c < dh; ++c) zr[c] = 0.f;
                for (int j = 0; j < int(P.cols()); ++j) prow[j] = 0.f;
                if (mx == -std::numeric_limits<float>::infinity()) continue;   // every key knocked out: no output
                float sum = 0.f;
                for (int j = 0; j <= i; ++j) {
                    s[j] = s[j] == -std::numeric_limits<float>::infinity() ? 0.f : gptk::exp_fixed(s[j] - mx);
                    sum += s[j];
                }
                const float inv = 1.f / sum;
                for (int j = 0; j <= i; ++j) {
                    const float p = s[j] * inv;
                    prow[j] = p;
                    const float* v = qkv + int64_t(sg.start + j) * ld + 2 * d + h * dh;
                    for (int c = 0; c < dh; ++c) zr[c] += p * v[c];
                }
            }
        }
    }
}

void resize_layer(GptLayerCache& lc, int N, int Tmax, int d, int F, int H) {
    auto sz = [](GptMatrix& m, int r, int c) { if (m.rows() != r || m.cols() != c) m.resize(r, c); };
    sz(lc.resid_pre, N, d); sz(lc.ln_1, N, d); sz(lc.qkv, N, 3 * d); sz(lc.z, N, d); sz(lc.attn_out, N, d);
    sz(lc.resid_mid, N, d); sz(lc.ln_2, N, d); sz(lc.mlp_pre, N, F); sz(lc.mlp_post, N, F); sz(lc.mlp_tanh, N, F); sz(lc.mlp_out, N, d);
    sz(lc.resid_post, N, d);
    lc.pattern.resize(H);
    for (GptMatrix& p : lc.pattern) sz(p, N, Tmax);
    if (lc.ln_1_rstd.size() != N) lc.ln_1_rstd.resize(N);
    if (lc.ln_2_rstd.size() != N) lc.ln_2_rstd.resize(N);
}

void apply_patches(const GptIntervention* iv, int layer, GptSite site, int r0, GptMatrix* m) {
    if (!iv) return;
    for (const GptPatch& p : iv->patches)
        if (p.layer == layer && p.site == site && p.position >= r0) m->row(p.position) = p.value;
}

// The blocks from `layer0` on and ln_f, for rows [r0, N) (r0 > 0 only with one segment).
// c.layers[layer0].resid_pre must hold the input rows.
void blocks_forward(const GptWeights& w, const std::vector<Segment>& segs, int layer0, int r0,
                    const GptIntervention* iv, GptCache* c) {
    const GptConfig& cfg = w.config;
    const int L = cfg.n_layer;
    for (int l = layer0; l < L; ++l) {
        const GptBlock& b = w.h[l];
        GptLayerCache& lc = c->layers[l];
        const int n = int(lc.resid_pre.rows()) - r0;
        layernorm_rows(lc.resid_pre, b.ln_1, cfg.layer_norm_epsilon, r0, &lc.ln_1, &lc.ln_1_rstd);
        conv_rows(lc.ln_1, b.attn.c_attn, r0, &lc.qkv);
        attention_rows(lc, l, cfg.n_head, segs, iv, &lc.pattern, &lc.z);
        conv_rows(lc.z, b.attn.c_proj, r0, &lc.attn_out);
        apply_patches(iv, l, GptSite::attn_out, r0, &lc.attn_out);
        lc.resid_mid.middleRows(r0, n) = lc.resid_pre.middleRows(r0, n) + lc.attn_out.middleRows(r0, n);
        layernorm_rows(lc.resid_mid, b.ln_2, cfg.layer_norm_epsilon, r0, &lc.ln_2, &lc.ln_2_rstd);
        conv_rows(lc.ln_2, b.mlp.c_fc, r0, &lc.mlp_pre);
        {
            const int64_t F = cfg.n_inner;
            const float* pre = lc.mlp_pre.data() + int64_t(r0) * F;
            float* post = lc.mlp_post.data() + int64_t(r0) * F;
            gptk::gelu(pre, post, lc.mlp_tanh.data() + int64_t(r0) * F, int64_t(n) * F);
        }
        if (iv)
            for (const GptAblation& a : iv->ablations) {
                if (a.layer != l) continue;
                for (int r = std::max(r0, a.position < 0 ? 0 : a.position); r < lc.mlp_post.rows(); ++r) {
                    for (int nn : a.neurons) lc.mlp_post(r, nn) = 0.f;
                    if (a.position >= 0) break;
                }
            }
        conv_rows(lc.mlp_post, b.mlp.c_proj, r0, &lc.mlp_out);
        apply_patches(iv, l, GptSite::mlp_out, r0, &lc.mlp_out);
        lc.resid_post.middleRows(r0, n) = lc.resid_mid.middleRows(r0, n) + lc.mlp_out.middleRows(r0, n);
        apply_patches(iv, l, GptSite::resid_post, r0, &lc.resid_post);
        if (l + 1 < L) c->layers[l + 1].resid_pre.middleRows(r0, n) = lc.resid_post.middleRows(r0, n);
    }
    layernorm_rows(c->layers[L - 1].resid_post, w.ln_f, cfg.layer_norm_epsilon, r0, &c->ln_f, &c->ln_f_rstd);
}

void embed_rows(const GptWeights& w, const int* tokens, const std::vector<Segment>& segs, const GptIntervention* iv,
                GptMatrix* x) {
    for (const Segment& sg : segs)
        for (int i = 0; i < sg.len; ++i) x->row(sg.start + i) = w.wte.row(tokens[sg.start + i]);
    if (iv)
        for (size_t k = 0; k < iv->noise_positions.size(); ++k) x->row(iv->noise_positions[k]) += iv->noise.row(k);
    for (const Segment& sg : segs)
        for (int i = 0; i < sg.len; ++i) x->row(sg.start + i) += w.wpe.row(i);
}

void resize_cache(const GptConfig& cfg, int N, int Tmax, GptCache* c) {
    c->layers.resize(cfg.n_layer);
    for (GptLayerCache& lc : c->layers) resize_layer(lc, N, Tmax, cfg.n_embd, cfg.n_inner, cfg.n_head);
    if (c->ln_f.rows() != N || c->ln_f.cols() != cfg.n_embd) c->ln_f.resize(N, cfg.n_embd);
    if (c->ln_f_rstd.size() != N) c->ln_f_rstd.resize(N);
}

void single_logits(const GptWeights& w, const GptIntervention* iv, GptCache* c) {
    const GptLogits mode = iv ? iv->logits : GptLogits::last;
    const int T = c->T;
    if (mode == GptLogits::none) { c->logits.resize(0, 0); return; }
    // Row by row with the same product, so a position's logits do not depend on the mode.
    const int r0 = mode == GptLogits::last ? T - 1 : 0;
    c->logits.resize(T - r0, w.config.vocab_size);
    const int d = w.config.n_embd, V = w.config.vocab_size;
    gptk::gemm_abt(T - r0, V, d, c->ln_f.data() + int64_t(r0) * d, d, w.wte.data(), d, c->logits.data(), V);
}

bool check_prompt(const GptWeights& w, const int* tokens, int T, const GptIntervention* iv, std::string* error) {
    const GptConfig& cfg = w.config;
    if (int(w.h.size()) != cfg.n_layer || w.wte.rows() != cfg.vocab_size) { if (error) *error = "the weights are not sized"; return false; }
    if (T < 1 || T > cfg.n_positions) {
        if (error) *error = "the prompt has " + std::to_string(T) + " tokens; the context holds 1 to " + std::to_string(cfg.n_positions);
        return false;
    }
    for (int i = 0; i < T; ++i)
        if (tokens[i] < 0 || tokens[i] >= cfg.vocab_size) { if (error) *error = "token id " + std::to_string(tokens[i]) + " out of range"; return false; }
    return !iv || iv->validate(cfg, T, error);
}

}  // namespace

// ---- forward (one prompt) --------------------------------------------------------------

bool gpt_forward(const GptWeights& w, const int* tokens, int T, const GptIntervention* iv, GptCache* c, std::string* error) {
    if (!check_prompt(w, tokens, T, iv, error)) return false;
    c->T = T;
    resize_cache(w.config, T, T, c);
    const std::vector<Segment> segs{{0, T, 0}};
    embed_rows(w, tokens, segs, iv, &c->layers[0].resid_pre);
    blocks_forward(w, segs, 0, 0, iv, c);
    single_logits(w, iv, c);
    return true;
}

bool gpt_forward_from(const GptWeights& w, const int* tokens, int T, int layer, int position, const GptIntervention* iv,
                      GptCache* c, std::string* error) {
    if (!check_prompt(w, tokens, T, iv, error)) return false;
    if (c->T != T || int(c->layers.size()) != w.config.n_layer || c->layers[0].resid_pre.rows() != T) {
        if (error) *error = "gpt_forward_from needs a cache of a run of the same prompt";
        return false;
    }
    if (layer < 0 || layer >= w.config.n_layer || position < 0 || position >= T) {
        if (error) *error = "gpt_forward_from: layer or position out of range";
        return false;
    }
    const std::vector<Segment> segs{{0, T, position}};
    blocks_forward(w, segs, layer, position, iv, c);
    single_logits(w, iv, c);
    return true;
}

Eigen::RowVectorXf gpt_unembed_row(const GptWeights& w, const Eigen::Ref<const GptRow>& x) {
    const int d = w.config.n_embd, V = w.config.vocab_size;
    const GptRow row = x;                                // contiguous copy
    Eigen::RowVectorXf logits(V);
    gptk::gemm_abt(1, V, d, row.data(), d, w.wte.data(), d, logits.data(), V);
    return logits;
}

Eigen::VectorXf gpt_softmax(const Eigen::Ref<const Eigen::RowVectorXf>& logits) {
    const int V = int(logits.size());
    Eigen::VectorXf p(V);
    float mx = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < V; ++i) mx = std::max(mx, logits[i]);
    float sum = 0.f;
    for (int i = 0; i < V; ++i) p[i] = logits[i] - mx;
    gptk::exp_inplace(p.data(), V);
    for (int i = 0; i < V; ++i) sum += p[i];
    const float inv = 1.f / sum;
    for (int i = 0; i < V; ++i) p[i] *= inv;
    return p;
}

bool gpt_next_probs(const GptWeights& w, const int* tokens, int T, const GptIntervention* iv, Eigen::VectorXf* probs,
                    GptCache* scratch, std::string* error) {
    GptIntervention last;
    if (iv) last = *iv;
    last.logits = GptLogits::last;
    if (!gpt_forward(w, tokens, T, &last, scratch, error)) return false;
    *probs = gpt_softmax(scratch->logits.row(0));
    return true;
}

// ---- batch: loss and backward ---------------------------------------------------------

double gpt_loss_and_grad(const GptWeights& w, const GptBatch& batch, GptWeights* grad, float scale, GptBatchCache* bc) {
    const GptConfig& cfg = w.config;
    const int N = int(batch.tokens.size()), d = cfg.n_embd, H = cfg.n_head, dh = d / H, L = cfg.n_layer;
    const int B = int(batch.starts.size()) - 1;
    std::vector<Segment> segs(B);
    int Tmax = 0;
    for (int b = 0; b < B; ++b) {
        segs[b] = {batch.starts[b], batch.starts[b + 1] - batch.starts[b], 0};
        Tmax = std::max(Tmax, segs[b].len);
    }
    GptCache& c = bc->rows;
    c.T = N;
    resize_cache(cfg, N, Tmax, &c);
    embed_rows(w, batch.tokens.data(), segs, nullptr, &c.layers[0].resid_pre);
    // pattern rows are indexed by key offset within the sequence; attention_rows writes (qi, j)
    blocks_forward(w, segs, 0, 0, nullptr, &c);

    // Logits only where a target is.
    bc->target_rows.clear();
    for (int i = 0; i < N; ++i) if (batch.targets[i] >= 0) bc->target_rows.push_back(i);
    const int nt = int(bc->target_rows.size());
    GptMatrix& xs = bc->xs;                               // (nt, d) ln_f rows at targets
    xs.resize(nt, d);
    for (int k = 0; k < nt; ++k) xs.row(k) = c.ln_f.row(bc->target_rows[k]);
    const int V = cfg.vocab_size;
    GptMatrix& wte_t = bc->wte_t;                         // (d, V)
    wte_t = w.wte.transpose();
    bc->probs.resize(nt, V);
    gptk::gemm(nt, V, d, xs.data(), d, 1, wte_t.data(), V, bc->probs.data(), V, false);   // logits, then softmax in place
    double loss = 0.0;
    for (int k = 0; k < nt; ++k) {
        float* row = bc->probs.data() + int64_t(k) * V;
        float mx = row[0];
        for (int v = 1; v < V; ++v) mx = std::max(mx, row[v]);
        for (int v = 0; v < V; ++v) row[v] -= mx;
        gptk::exp_inplace(row, V);
        float sum = 0.f;
        for (int v = 0; v < V; ++v) sum += row[v];
        const float inv = 1.f / sum;
        for (int v = 0; v < V; ++v) row[v] *= inv;
        const float p = row[batch.targets[bc->target_rows[k]]];
        loss -= std::log(std::max(double(p), 1e-30));
    }
    if (!grad) return loss;

    // d logits = scale (p - onehot)
    GptMatrix& dlog = bc->dlog;                           // (nt, V)
    dlog = bc->probs * scale;
    for (int k = 0; k < nt; ++k) dlog(k, batch.targets[bc->target_rows[k]]) -= scale;
    gptk::gemm(V, d, nt, dlog.data(), 1, V, xs.data(), d, grad->wte.data(), d, true);   // unembedding half of the tied gradient
    GptMatrix& dxs = bc->dxs;                             // (nt, d) = dlog wte
    dxs.resize(nt, d);
    gptk::gemm(nt, d, V, dlog.data(), V, 1, w.wte.data(), d, dxs.data(), d, false);
    GptMatrix& dlnf = bc->dlnf;                           // (N, d)
    dlnf.setZero(N, d);
    for (int k = 0; k < nt; ++k) dlnf.row(bc->target_rows[k]) = dxs.row(k);

    std::vector<float> tmp;
    GptMatrix& dres = bc->dres;                           // (N, d) d loss / d residual
    dres.setZero(N, d);
    layernorm_backward(c.layers[L - 1].resid_post, c.ln_f_rstd, w.ln_f, dlnf, &dres, &grad->ln_f, tmp);

    GptMatrix &dpost = bc->dpost, &dln = bc->dln, &dz = bc->dz, &dqkv = bc->dqkv, &wt = bc->wt;
    dpost.resize(N, cfg.n_inner); dln.resize(N, d); dz.resize(N, d); dqkv.resize(N, 3 * d);
    const float att_scale = 1.f / std::sqrt(float(dh));
    std::vector<float> dp;
    for (int l = L - 1; l >= 0; --l) {
        const GptBlock& b = w.h[l];
        GptBlock& g = grad->h[l];
        const GptLayerCache& lc = c.layers[l];
        // MLP: resid_post = resid_mid + c_proj(gelu(c_fc(ln_2(resid_mid))))
        conv_backward(lc.mlp_post, b.mlp.c_proj, dres, &g.mlp.c_proj, &dpost, &wt);
        gptk::gelu_backward(lc.mlp_pre.data(), lc.mlp_tanh.data(), dpost.data(), dpost.size());
        conv_backward(lc.ln_2, b.mlp.c_fc, dpost, &g.mlp.c_fc, &dln, &wt);
        layernorm_backward(lc.resid_mid, lc.ln_2_rstd, b.ln_2, dln, &dres, &g.ln_2, tmp);
        // attention: resid_mid = resid_pre + c_proj(attn(c_attn(ln_1(resid_pre))))
        conv_backward(lc.z, b.attn.c_proj, dres, &g.attn.c_proj, &dz, &wt);
        dqkv.setZero();
        for (const Segment& sg : segs) {
            for (int h = 0; h < H; ++h) {
                const GptMatrix& P = lc.pattern[h];
                for (int i = 0; i < sg.len; ++i) {
                    const int qi = sg.start + i;
                    const float* prow = P.data() + int64_t(qi) * P.cols();
                    const float* dzr = dz.data() + int64_t(qi) * d + h * dh;
                    const float* q = lc.qkv.data() + int64_t(qi) * 3 * d + h * dh;
                    float* dq = dqkv.data() + int64_t(qi) * 3 * d + h * dh;
                    dp.assign(i + 1, 0.f);
                    float rs = 0.f;                              // sum_j p_j dp_j
                    for (int j = 0; j <= i; ++j) {
                        const int kj = sg.start + j;
                        const float* v = lc.qkv.data() + int64_t(kj) * 3 * d + 2 * d + h * dh;
                        float* dv = dqkv.data() + int64_t(kj) * 3 * d + 2 * d + h * dh;
                        float dot = 0.f;
                        for (int cc = 0; cc < dh; ++cc) { dot += dzr[cc] * v[cc]; dv[cc] += prow[j] * dzr[cc]; }
                        dp[j] = dot;
                        rs += prow[j] * dot;
                    }
                    for (int j = 0; j <= i; ++j) {
                        const float ds = prow[j] * (dp[j] - rs) * att_scale;
                        if (ds == 0.f) continue;
                        const int kj = sg.start + j;
                        const float* k = lc.qkv.data() + int64_t(kj) * 3 * d + d + h * dh;
                        float* dk = dqkv.data() + int64_t(kj) * 3 * d + d + h * dh;
                        for (int cc = 0; cc < dh; ++cc) { dq[cc] += ds * k[cc]; dk[cc] += ds * q[cc]; }
                    }
                }
            }
        }
        conv_backward(lc.ln_1, b.attn.c_attn, dqkv, &g.attn.c_attn, &dln, &wt);
        layernorm_backward(lc.resid_pre, lc.ln_1_rstd, b.ln_1, dln, &dres, &g.ln_1, tmp);
    }
    // embeddings: resid_pre[0][i] = wte[token] + wpe[position]
    for (const Segment& sg : segs)
        for (int i = 0; i < sg.len; ++i) {
            grad->wte.row(batch.tokens[sg.start + i]) += dres.row(sg.start + i);
            grad->wpe.row(i) += dres.row(sg.start + i);
        }
    return loss;
}

}  // namespace factlab
