// superpose_kernels.inl: the body of the tiled pair pass, written once over `Ops`.
//
// Not a header. superpose_kernels.cpp includes it once per instruction set, inside a
// namespace that defines `Ops` and with that instruction set switched on for every
// function defined here. The pass itself is described in superpose_kernels.hpp.
//
// Ops provides: V (vector type), W (floats per vector), KB_R and KB_T (p blocks of the
// two gradient products), the micro-tile shapes
// MR_G x NV_G (tile of G), MR_T x NV_T (gT), MR_R x NV_R (g_row), and
//   zero set1 load store bcast add sub mul fma(a, b, c) = a*b + c  max min abs sqrt
//   gt(a, b, x, y) = a > b ? x : y    le(a, b, x, y) = a <= b ? x : y
//   round (to nearest integer)  pow2(n) = 2^n for integer-valued n  to_int(int*, v) (truncates)
//   hsum hmax hmin (across lanes)   pin(v): keep v in a register (x86: an empty asm)
//   nonzero_mask(v): bit l set when lane l is not 0
// `Scalar` (the same operations on one float) handles the ends of rows.

// ---- [SECTION] micro-kernel: C(m, n) (+)= sum_p A(m, p) B(p, n) --------------------
// A(m, p) = a[m*sm + p*sp] (one float, broadcast), B(p, n) = b[p*ldb + n] (vectors
// along n), C(m, n) = c[m*ldc + n]. MR x (NV*W) results live in registers while p runs.
template <int MR, int NV, bool ACC>
static void micro(int kc, const float* a, ptrdiff_t sm, ptrdiff_t sp, const float* b, ptrdiff_t ldb,
                  float* c, ptrdiff_t ldc) {
    using V = typename Ops::V;
    constexpr int W = Ops::W;
    V acc[MR][NV];
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] = ACC ? Ops::load(c + r * ldc + v * W) : Ops::zero();
    for (int p = 0; p < kc; ++p) {
        V bv[NV];
        for (int v = 0; v < NV; ++v) {
            bv[v] = Ops::load(b + v * W);
            Ops::pin(bv[v]);             // load B once per p, not once per row
        }
        for (int r = 0; r < MR; ++r) {
            const V av = Ops::bcast(a + r * sm);
            for (int v = 0; v < NV; ++v) acc[r][v] = Ops::fma(av, bv[v], acc[r][v]);
        }
        a += sp;
        b += ldb;
    }
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) Ops::store(c + r * ldc + v * W, acc[r][v]);
}

// Runtime (mr, nv) -> the micro-kernel compiled for exactly that shape.
template <int MR, int NV, bool ACC>
struct Pick {
    static void run(int mr, int nv, int kc, const float* a, ptrdiff_t sm, ptrdiff_t sp, const float* b,
                    ptrdiff_t ldb, float* c, ptrdiff_t ldc) {
        if (nv < NV) return Pick<MR, NV - 1, ACC>::run(mr, nv, kc, a, sm, sp, b, ldb, c, ldc);
        if (mr < MR) return Pick<MR - 1, NV, ACC>::run(mr, nv, kc, a, sm, sp, b, ldb, c, ldc);
        micro<MR, NV, ACC>(kc, a, sm, sp, b, ldb, c, ldc);
    }
};
template <int NV, bool ACC>
struct Pick<0, NV, ACC> {
    static void run(int, int, int, const float*, ptrdiff_t, ptrdiff_t, const float*, ptrdiff_t, float*, ptrdiff_t) {}
};
template <int MR, bool ACC>
struct Pick<MR, 0, ACC> {
    static void run(int, int, int, const float*, ptrdiff_t, ptrdiff_t, const float*, ptrdiff_t, float*, ptrdiff_t) {}
};

// C (m, n) (+)= A (m, kc) B (kc, n); n is a multiple of W. Column panels are balanced
// (7 vectors with NV = 8 make one panel of 7, not 8 + nothing). The p range is cut into
// blocks of KB so that a block of B (KB, NV*W) stays in L1 while every row panel of A
// passes over it.
template <int MR, int NV, bool ACC, int KB = 1 << 30>
static void gemm(int m, int n, int kc, const float* a, ptrdiff_t sm, ptrdiff_t sp, const float* b,
                 ptrdiff_t ldb, float* c, ptrdiff_t ldc) {
    const int nvec = n / Ops::W;
    const int panels = (nvec + NV - 1) / NV;
    for (int p0 = 0; p0 < kc; p0 += KB) {
        const int kb = kc - p0 < KB ? kc - p0 : KB;
        const float* ab = a + p0 * sp;
        const float* bb = b + p0 * ldb;
        for (int pn = 0, v0 = 0; pn < panels; ++pn) {
            const int nv = (nvec - v0 + (panels - pn) - 1) / (panels - pn);
            const int col = v0 * Ops::W;
            for (int m0 = 0; m0 < m; m0 += MR) {
                const int mr = m - m0 < MR ? m - m0 : MR;
                if (ACC || p0 > 0) Pick<MR, NV, true>::run(mr, nv, kb, ab + m0 * sm, sm, sp, bb + col, ldb, c + m0 * ldc + col, ldc);
                else Pick<MR, NV, false>::run(mr, nv, kb, ab + m0 * sm, sm, sp, bb + col, ldb, c + m0 * ldc + col, ldc);
            }
            v0 += nv;
        }
    }
}

// ---- [SECTION] element functions, over a vector type O (Ops) or one float (Scalar) ----
// e^x for x <= 80: x = n ln2 + r, |r| <= ln2/2, e^r by its Taylor series to r^6.
template <class O>
static inline typename O::V exp_ops(typename O::V x) {
    using V = typename O::V;
    x = O::min(x, O::set1(80.f));
    x = O::max(x, O::set1(-87.f));
    const V n = O::round(O::mul(x, O::set1(1.44269504f)));
    V r = O::sub(x, O::mul(n, O::set1(0.693145752f)));      // ln 2, high part (exact product)
    r = O::sub(r, O::mul(n, O::set1(1.42860677e-06f)));     // ln 2, low part
    V p = O::set1(1.f / 720.f);
    p = O::add(O::mul(p, r), O::set1(1.f / 120.f));
    p = O::add(O::mul(p, r), O::set1(1.f / 24.f));
    p = O::add(O::mul(p, r), O::set1(1.f / 6.f));
    p = O::add(O::mul(p, r), O::set1(0.5f));
    p = O::add(O::mul(p, r), O::set1(1.f));
    p = O::add(O::mul(p, r), O::set1(1.f));
    return O::mul(p, O::pow2(n));
}

// Angle of c in tenths of a degree. asin(x) = x + x z P(z), z = x^2 on [0, 1/2] (P fitted
// by least squares on Chebyshev nodes, relative error 7e-8); above 1/2,
// acos(x) = 2 asin(sqrt((1 - x) / 2)).
template <class O>
static inline typename O::V acos_tenth_ops(typename O::V c) {
    using V = typename O::V;
    const V one = O::set1(1.f), half = O::set1(0.5f);
    const V a = O::min(O::abs(c), one);
    const V z = O::gt(a, half, O::mul(O::sub(one, a), half), O::mul(a, a));
    const V x = O::gt(a, half, O::sqrt(z), a);
    V p = O::set1(0.0374410264f);
    p = O::add(O::mul(p, z), O::set1(0.0144919502f));
    p = O::add(O::mul(p, z), O::set1(0.0317939259f));
    p = O::add(O::mul(p, z), O::set1(0.0445185229f));
    p = O::add(O::mul(p, z), O::set1(0.0750049725f));
    p = O::add(O::mul(p, z), O::set1(0.166666597f));
    const V as = O::add(x, O::mul(O::mul(x, z), p));
    V ang = O::gt(a, half, O::add(as, as), O::sub(O::set1(1.57079637f), as));   // acos(|c|)
    ang = O::gt(O::zero(), c, O::sub(O::set1(3.14159274f), ang), ang);
    return O::mul(ang, O::set1(572.957795f));                                   // 1800 / pi
}

// Video loss on entries k0..k1 of a row (pairs i < j): s <- 2 sign(g) [|g| > thr];
// returns sum relu(|g| - thr) and counts the nonzero weights into *nnz.
template <class O>
static inline float video_span(float* s, int k0, int k1, float thr, float* nnz) {
    using V = typename O::V;
    const V vthr = O::set1(thr), z = O::zero(), p2 = O::set1(2.f), m2 = O::set1(-2.f), one = O::set1(1.f);
    V acc = O::zero(), cnt = O::zero();
    for (int k = k0; k < k1; k += O::W) {
        const V g = O::load(s + k);
        const V a = O::abs(g);
        acc = O::add(acc, O::max(O::sub(a, vthr), z));
        cnt = O::add(cnt, O::gt(a, vthr, one, z));
        O::store(s + k, O::gt(a, vthr, O::gt(g, z, p2, m2), z));
    }
    *nnz += O::hsum(cnt);
    return O::hsum(acc);
}

// Exp loss on entries k0..k1: s <- 2 g e, e = exp(t g^2 - shift); returns sum e.
// Weights below e^-30 of the largest become exactly 0: 5e7 of them add up to less than
// 1e-5 of it, products with subnormal floats would cost a hundred cycles each on x86,
// and at large t most tiles become sparse (see sparse_update).
// Also counts the nonzero weights into *nnz.
template <class O>
static inline float exp_span(float* s, int k0, int k1, float t, float shift, float* max_c2, float* nnz) {
    using V = typename O::V;
    const V vt = O::set1(t), vs = O::set1(shift), two = O::set1(2.f), cut = O::set1(-30.f), z = O::zero();
    const V one = O::set1(1.f);
    V acc = O::zero(), mx = O::zero(), cnt = O::zero();
    for (int k = k0; k < k1; k += O::W) {
        const V g = O::load(s + k);
        const V g2 = O::mul(g, g);
        mx = O::max(mx, g2);
        const V arg = O::sub(O::mul(g2, vt), vs);
        const V e = O::gt(arg, cut, exp_ops<O>(arg), z);
        cnt = O::add(cnt, O::gt(arg, cut, one, z));
        acc = O::add(acc, e);
        O::store(s + k, O::mul(O::mul(two, g), e));
    }
    const float m = O::hmax(mx);
    if (m > *max_c2) *max_c2 = m;
    *nnz += O::hsum(cnt);
    return O::hsum(acc);
}

// Per-row running statistics (float counts are exact: a row has < 2^24 entries).
struct RowStats {
    float mx = -2.f, mn = 2.f, n1 = 0.f, n5 = 0.f;
};

// Statistics of normalised cosines c = (g rn_i) rn_j on entries k0..k1.
template <class O>
static inline void stats_span(const float* s, const float* rn, float rni, int k0, int k1, RowStats* rs,
                              uint64_t (*hist)[kHistBins]) {
    using V = typename O::V;
    const V vri = O::set1(rni), one = O::set1(1.f), z = O::zero();
    const V s1 = O::set1(0.0174524058f), s5 = O::set1(0.0871557444f);   // sin 1 deg, sin 5 deg
    const V top = O::set1(float(kHistBins) - 0.5f);
    V mx = O::set1(-2.f), mn = O::set1(2.f), n1 = O::zero(), n5 = O::zero();
    int bins[O::W];
    for (int k = k0; k < k1; k += O::W) {
        const V c = O::mul(O::mul(O::load(s + k), vri), O::load(rn + k));
        mx = O::max(mx, c);
        mn = O::min(mn, c);
        const V a = O::abs(c);
        n1 = O::add(n1, O::le(a, s1, one, z));
        n5 = O::add(n5, O::le(a, s5, one, z));
        O::to_int(bins, O::min(acos_tenth_ops<O>(c), top));
        for (int l = 0; l < O::W; ++l) ++hist[(k + l) & (kHistLanes - 1)][bins[l]];
    }
    rs->mx = std::max(rs->mx, O::hmax(mx));
    rs->mn = std::min(rs->mn, O::hmin(mn));
    rs->n1 += O::hsum(n1);
    rs->n5 += O::hsum(n5);
}

// ---- [SECTION] the epilogue of one tile -------------------------------------------
// The tile holds T = G^T: row jj is vector j = j0 + jj, column ii is vector i = i0 + ii
// (rows cv, columns rp = r rounded up to W, leading dimension ldt). Turns T into weights
// (entries with i > j or i >= N become 0) and adds loss / statistics. Returns the number
// of nonzero weights (every valid entry for the video loss).
template <bool STATS>
static int epilogue(const PairData& p, const LossParams& lp, int i0, int r, int rp, int j0, int cv, float* tile,
                    int ldt, GradSums* gs, StatsSums* ss) {
    double loss = 0;
    float nnz = 0.f;                     // exact: a tile has < 2^24 entries
    for (int jj = 0; jj < cv; ++jj) {
        const int j = j0 + jj;
        float* s = tile + ptrdiff_t(jj) * ldt;
        int k1 = j - i0 < r ? j - i0 : r;                      // columns i <= j (diagonal included)
        const bool diag = j - i0 < r;
        for (int k = diag ? k1 + 1 : k1; k < rp; ++k) s[k] = 0.f;
        if (diag) {                                            // the diagonal entry, i == j
            nnz += 1.f;
            if (lp.kind == LossKind::video) {
                const double x = double(s[k1]) - 1.0, ax = std::fabs(x);
                const double sg = ax > lp.thr ? (x > 0 ? 1.0 : -1.0) : 0.0;
                loss += (ax > lp.thr ? ax - lp.thr : 0.0) + double(lp.n_weight) * x * x;
                s[k1] = float(sg + 2.0 * double(lp.n_weight) * x);
            } else {
                s[k1] = 0.f;
            }
        }
        const int kv = k1 / Ops::W * Ops::W;                   // pairs i < j: vectors on [0, kv), then one by one
        if (STATS && k1 > 0) {
            RowStats rs;
            const float rnj = p.rnorm[j];
            const float* rn = p.rnorm + i0;
            stats_span<Ops>(s, rn, rnj, 0, kv, &rs, ss->hist);
            stats_span<Scalar>(s, rn, rnj, kv, k1, &rs, ss->hist);
            ss->pairs += uint64_t(k1);
            ss->within1 += uint64_t(rs.n1);
            ss->within5 += uint64_t(rs.n5);
            if (rs.mx > ss->cmax || rs.mn < ss->cmin) {        // rare: find where
                for (int k = 0; k < k1; ++k) {
                    const float cc = (s[k] * rnj) * rn[k];
                    if (cc > ss->cmax) { ss->cmax = cc; ss->imax = i0 + k; ss->jmax = j; }
                    if (cc < ss->cmin) { ss->cmin = cc; ss->imin = i0 + k; ss->jmin = j; }
                }
            }
        }
        GradSums* sums = STATS ? &ss->loss : gs;
        if (lp.kind == LossKind::video) {
            const float off = video_span<Ops>(s, 0, kv, lp.thr, &nnz) + video_span<Scalar>(s, kv, k1, lp.thr, &nnz);
            loss += 2.0 * double(off);                         // (i, j) and (j, i)
        } else {
            loss += double(exp_span<Ops>(s, 0, kv, lp.t, lp.shift, &sums->max_c2, &nnz)) +
                    double(exp_span<Scalar>(s, kv, k1, lp.t, lp.shift, &sums->max_c2, &nnz));
        }
    }
    (STATS ? ss->loss.loss : gs->loss) += loss;
    return int(nnz);
}

// The pairs i < j of a tile T = G^T (as in the epilogue) with G^2 >= thr_c2, by a mask
// per vector (most vectors have none).
static void collect_span(int i0, int r, int j0, int cv, float thr_c2, const float* tile, int ldt,
                         std::vector<uint64_t>* out) {
    using V = typename Ops::V;
    const V vthr = Ops::set1(thr_c2), one = Ops::set1(1.f), z = Ops::zero();
    for (int jj = 0; jj < cv; ++jj) {
        const int j = j0 + jj;
        const float* s = tile + ptrdiff_t(jj) * ldt;
        const int k1 = j - i0 < r ? j - i0 : r;                 // columns i < j
        int k0 = 0;
        for (; k0 + Ops::W <= k1; k0 += Ops::W) {
            const V g = Ops::load(s + k0);
            for (unsigned m = Ops::nonzero_mask(Ops::le(vthr, Ops::mul(g, g), one, z)); m; m &= m - 1)
                out->push_back(uint64_t(i0 + k0 + __builtin_ctz(m)) << 32 | uint64_t(j));
        }
        for (; k0 < k1; ++k0)
            if (s[k0] * s[k0] >= thr_c2) out->push_back(uint64_t(i0 + k0) << 32 | uint64_t(j));
    }
}

// The exp loss over listed pairs only (the pair list at large t); see superpose_kernels.hpp.
void list_grad(const PairData& p, const LossParams& lp, const uint64_t* pairs, size_t count, GradSums* sums) {
    using V = typename Ops::V;
    constexpr int W = Ops::W;
    const int nv = p.dp / W;
    double z = 0;
    float mx = sums->max_c2;
    for (size_t q = 0; q < count; ++q) {
        const int i = int(pairs[q] >> 32), j = int(pairs[q] & 0xffffffffu);
        const float* vi = p.V + ptrdiff_t(i) * p.dp;
        const float* vj = p.V + ptrdiff_t(j) * p.dp;
        V acc = Ops::zero();
        for (int v = 0; v < nv; ++v) acc = Ops::fma(Ops::load(vi + v * W), Ops::load(vj + v * W), acc);
        const float g = Ops::hsum(acc), g2 = g * g;
        mx = g2 > mx ? g2 : mx;
        const float arg = g2 * lp.t - lp.shift;
        if (!(arg > -30.f)) continue;                            // the epilogue's cut
        const float e = exp_ops<Scalar>(arg);
        z += double(e);
        const V w = Ops::set1(2.f * g * e);
        float* gi = p.g_row + ptrdiff_t(i) * p.dp;
        float* gj = p.g_row + ptrdiff_t(j) * p.dp;
        for (int v = 0; v < nv; ++v) {
            const V a = Ops::load(vi + v * W), b = Ops::load(vj + v * W);
            Ops::store(gi + v * W, Ops::fma(w, b, Ops::load(gi + v * W)));
            Ops::store(gj + v * W, Ops::fma(w, a, Ops::load(gj + v * W)));
        }
    }
    sums->loss += z;
    sums->max_c2 = mx;
}

#if !defined(SPK_EPILOGUE_ONLY)
// The two gradient products for a tile whose weights are mostly 0 (the video loss once
// most pairs sit in its dead zone; the exp loss at large t): for each nonzero w at
// (j, i), g_j += w v_i and g_i += w v_j, both into g_row (grad = g_row + gT^T either
// way). Row j's gradient stays in registers, KS vectors of it at a time, and is stored
// last, so a write to row j through g_i would be lost: the diagonal weight (stored
// halved, i == j) is taken out of the list and added to the registers twice, as the
// dense form adds it once per product.
template <int KS>
static void sparse_row(const PairData& p, int q0, int nq, int j, const float* vi0, float* gi0, const int* idx,
                       const float* wv, int nz, float w_diag) {
    using V = typename Ops::V;
    constexpr int W = Ops::W;
    const float* vj = p.V + ptrdiff_t(j) * p.dp + q0;
    float* gj = p.g_row + ptrdiff_t(j) * p.dp + q0;
    V acc[KS], bj[KS];
    for (int q = 0; q < KS; ++q)
        if (q < nq) {
            acc[q] = Ops::load(gj + q * W);
            bj[q] = Ops::load(vj + q * W);
        }
    if (w_diag != 0.f) {
        const V w2 = Ops::set1(2.f * w_diag);
        for (int q = 0; q < KS; ++q)
            if (q < nq) acc[q] = Ops::fma(w2, bj[q], acc[q]);
    }
    for (int z = 0; z < nz; ++z) {
        const V w = Ops::set1(wv[z]);
        const float* vi = vi0 + ptrdiff_t(idx[z]) * p.dp + q0;
        float* gi = gi0 + ptrdiff_t(idx[z]) * p.dp + q0;
        for (int q = 0; q < KS; ++q)
            if (q < nq) {
                acc[q] = Ops::fma(w, Ops::load(vi + q * W), acc[q]);
                Ops::store(gi + q * W, Ops::fma(w, bj[q], Ops::load(gi + q * W)));
            }
    }
    for (int q = 0; q < KS; ++q)
        if (q < nq) Ops::store(gj + q * W, acc[q]);
}

static void sparse_update(const PairData& p, int i0, int r, int j0, int cv, const float* tile, int ldt, int* idx,
                          float* wv) {
    constexpr int W = Ops::W, KS = 8;
    const int nvec = p.dp / W;           // dp is a multiple of W
    const float* vi0 = p.V + ptrdiff_t(i0) * p.dp;
    float* gi0 = p.g_row + ptrdiff_t(i0) * p.dp;
    for (int jj = 0; jj < cv; ++jj) {
        const float* s = tile + ptrdiff_t(jj) * ldt;
        int nz = 0, k0 = 0;
        for (; k0 + W <= r; k0 += W) {   // the nonzeros of row jj, by a bit mask per vector
            for (unsigned m = Ops::nonzero_mask(Ops::load(s + k0)); m; m &= m - 1) {
                const int k = k0 + __builtin_ctz(m);
                idx[nz] = k;
                wv[nz++] = s[k];
            }
        }
        for (; k0 < r; ++k0)
            if (s[k0] != 0.f) {
                idx[nz] = k0;
                wv[nz++] = s[k0];
            }
        // Entries past the diagonal are 0, so a diagonal weight is the last nonzero.
        float w_diag = 0.f;
        if (nz > 0 && i0 + idx[nz - 1] == j0 + jj) w_diag = wv[--nz];
        if (nz == 0 && w_diag == 0.f) continue;
        for (int q0 = 0; q0 < nvec; q0 += KS)
            sparse_row<KS>(p, q0 * W, nvec - q0 < KS ? nvec - q0 : KS, j0 + jj, vi0, gi0, idx, wv, nz, w_diag);
    }
}

// ---- [SECTION] entry points (not for the Eigen kernel, which only borrows the epilogue) ----
// The row block I (r vectors) stays in cache while the column chunks J stream past:
// VT_I, V_I and gT_I are read or written by every tile of the sweep, V_J and g_J once.
// T (cv, rp) = V_J (cv, d) VT_I (d, rp)
static void gram_tile(const PairData& p, int i0, int rp, int j0, int cv, float* tile, int ldt) {
    gemm<Ops::MR_G, Ops::NV_G, false>(cv, rp, p.d, p.V + ptrdiff_t(j0) * p.dp, p.dp, 1, p.VT + i0, p.np, tile, ldt);
}

void grad_tile(const PairData& p, const LossParams& lp, int i0, int i1, int j0, int j1, float* tile,
               GradSums* sums) {
    const int r = i1 - i0, rp = (r + Ops::W - 1) / Ops::W * Ops::W, ldt = rp + kTilePad;
    const int cv = (p.n - j0 < j1 - j0 ? p.n - j0 : j1 - j0);
    gram_tile(p, i0, rp, j0, cv, tile, ldt);
    const int nnz = epilogue<false>(p, lp, i0, r, rp, j0, cv, tile, ldt, sums, nullptr);
    if (double(nnz) < lp.sparse_share * double(r * cv)) {   // mostly zeros: dense products would waste their work
        int idx[kMaxTileRows];
        float wv[kMaxTileRows];
        sparse_update(p, i0, r, j0, cv, tile, ldt, idx, wv);
        return;
    }
    // g_J (cv, dp) += T (cv, r) V_I (r, dp)
    gemm<Ops::MR_R, Ops::NV_R, true, Ops::KB_R>(cv, p.dp, r, tile, ldt, 1, p.V + ptrdiff_t(i0) * p.dp, p.dp,
                                                 p.g_row + ptrdiff_t(j0) * p.dp, p.dp);
    // gT_I (d, rp) += V_J^T (d, cv) T (cv, rp)
    gemm<Ops::MR_T, Ops::NV_T, true, Ops::KB_T>(p.d, rp, cv, p.V + ptrdiff_t(j0) * p.dp, 1, p.dp, tile, ldt,
                                                 p.gT + i0, p.np);
}

void collect_tile(const PairData& p, float thr_c2, int i0, int i1, int j0, int j1, float* tile,
                  std::vector<uint64_t>* out) {
    const int r = i1 - i0, rp = (r + Ops::W - 1) / Ops::W * Ops::W, ldt = rp + kTilePad;
    const int cv = (p.n - j0 < j1 - j0 ? p.n - j0 : j1 - j0);
    gram_tile(p, i0, rp, j0, cv, tile, ldt);
    collect_span(i0, r, j0, cv, thr_c2, tile, ldt, out);
}

// Multiply-add peak of this instruction set: MR_P x NV_P independent accumulators, the
// operands in registers (a micro-kernel without its loads), all registers used, no spills.
template <int MR, int NV>
__attribute__((noinline)) static float peak_block(long iters, const float* seed) {
    using V = typename Ops::V;
    V acc[MR][NV], a[MR], b[NV];
    for (int r = 0; r < MR; ++r) a[r] = Ops::set1(seed[r]);
    for (int v = 0; v < NV; ++v) b[v] = Ops::set1(seed[8 + v]);
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] = Ops::set1(seed[16 + r + v]);
    for (long it = 0; it < iters; ++it)
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) acc[r][v] = Ops::fma(a[r], b[v], acc[r][v]);
    V s = Ops::zero();
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) s = Ops::add(s, acc[r][v]);
    return Ops::hsum(s);
}

double peak_gflops(double seconds, float* sink) {
    float seed[32];
    for (int i = 0; i < 32; ++i) seed[i] = 1e-7f * float(i + 1);
    float keep = 0.f;
    for (int w = 0; w < 50; ++w) keep += peak_block<Ops::MR_P, Ops::NV_P>(2000, seed);   // warm up (and let a JIT tier up)
    const long iters = 20000;
    long calls = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double el = 0;
    do {
        keep += peak_block<Ops::MR_P, Ops::NV_P>(iters, seed);
        ++calls;
        el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (el < seconds);
    *sink += keep;
    return double(calls) * iters * Ops::MR_P * Ops::NV_P * Ops::W * 2.0 / el / 1e9;
}

void stats_tile(const PairData& p, const LossParams& lp, int i0, int i1, int j0, int j1, float* tile,
                StatsSums* sums) {
    const int r = i1 - i0, rp = (r + Ops::W - 1) / Ops::W * Ops::W, ldt = rp + kTilePad;
    const int cv = (p.n - j0 < j1 - j0 ? p.n - j0 : j1 - j0);
    gram_tile(p, i0, rp, j0, cv, tile, ldt);
    epilogue<true>(p, lp, i0, r, rp, j0, cv, tile, ldt, nullptr, sums);
}
#endif
