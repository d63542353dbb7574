// test_jobs.cpp: the bytes a share of a superposition step travels as between the
// page and a Web Worker (src/core/jobs.hpp): a step split over K shares, each
// encoded, computed from its decoded request, encoded back and decoded, gives the
// Superposer the same step as its own unsplit pass (K = 1: bit for bit), and
// malformed bytes are refused with a message.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include "core/jobs.hpp"

using namespace factlab;

// One step of `sp` through the wire with K shares; returns apply()'s result.
static int step_through_wire(Superposer& sp, int K) {
    std::vector<ShareRange> shares = sp.plan_shares(K);
    int r = 0;
    do {
        spk::LossParams lp = sp.step_params();
        Superposer::ConstRowMap V = sp.vectors();   // (N, d)
        SharePartial sum;
        for (int k = 0; k < K; ++k) {
            std::string req = jobs::encode_share_request(7u + k, V.data(), int(V.rows()), int(V.cols()), int(V.outerStride()),
                                                         sp.config().kernel, lp, shares[k]);
            jobs::ShareRequest in;
            std::string err;
            REQUIRE(jobs::decode_share_request(req, &in, &err));
            SuperposeShare w;                       // a fresh "worker"
            REQUIRE(w.setup(in.n, in.d, in.kernel, &err));
            REQUIRE(w.set_vectors(in.V, in.d));
            SharePartial part;
            w.compute(in.lp, in.range, &part);
            std::string rep = jobs::encode_share_reply(in.id, part);
            // The page's cap on a reply is exactly this size (or an error's 508 bytes).
            CHECK(jobs::share_reply_max_bytes(in.n, in.d) == std::max<size_t>(rep.size(), 508));
            uint32_t id = 0;
            SharePartial back;
            REQUIRE(jobs::decode_share_reply(rep, &id, &back, &err));
            CHECK(id == 7u + k);
            if (k == 0) sum = back; else add_partial(&sum, back);
        }
        r = sp.apply(sum);
    } while (r == 0);
    return r;
}

TEST_CASE("jobs: steps through the worker wire equal the Superposer's own (K = 1 exactly, K = 3 the same K in slices)") {
    for (SuperposeLoss loss : {SuperposeLoss::video, SuperposeLoss::exp}) {
        SuperposeConfig c;
        c.n = 301; c.d = 17; c.steps = 6; c.loss = loss; c.seed = 5;   // odd sizes: partial tiles
        for (int K : {1, 3}) {
            CAPTURE(K);
            SuperposeConfig ck = c;
            ck.threads = K;                          // the sliced path runs the same K shares
            Superposer own, wire;
            std::string err;
            REQUIRE(own.reset(ck, &err));
            REQUIRE(wire.reset(ck, &err));
            for (int s = 0; s < c.steps; ++s) {
                while (own.work(1e9, 1) == 0) {}
                REQUIRE(step_through_wire(wire, K) == 1);
            }
            CHECK(own.steps_done() == wire.steps_done());
            CHECK((own.vectors() - wire.vectors()).cwiseAbs().maxCoeff() == 0.0f);
        }
    }
}

TEST_CASE("jobs: malformed bytes are refused with a message") {
    std::string err;
    jobs::ShareRequest req;
    CHECK_FALSE(jobs::decode_share_request("", &req, &err));
    CHECK_FALSE(err.empty());
    float V[2 * 3] = {1, 0, 0, 0, 1, 0};
    ShareRange r; r.tile_begin = 0; r.tile_end = 1;
    std::string good = jobs::encode_share_request(1, V, 2, 3, 3, spk::KernelKind::simd, spk::LossParams{}, r);
    CHECK(jobs::decode_share_request(good, &req, &err));
    CHECK_FALSE(jobs::decode_share_request(good.substr(0, good.size() - 1), &req, &err));   // short
    std::string bad = good; bad[0] ^= 1;                                                  // magic
    CHECK_FALSE(jobs::decode_share_request(bad, &req, &err));
    uint32_t id = 0;
    SharePartial p;
    CHECK_FALSE(jobs::decode_share_reply(good, &id, &p, &err));                           // a request is no reply
    CHECK_FALSE(jobs::decode_share_reply(jobs::encode_share_error(4, "no memory"), &id, &p, &err));
    CHECK(id == 4);
    CHECK(err.find("no memory") != std::string::npos);
}

TEST_CASE("jobs: a share of another shape is not added (a worker's reply is summed only when it fits)") {
    SharePartial acc, small;
    acc.grad = spk::RowMatrixXf::Ones(4, 3);
    acc.sums.loss = 1.0;
    small.grad = spk::RowMatrixXf::Ones(2, 3);
    small.sums.loss = 5.0;
    CHECK_FALSE(add_partial(&acc, small));
    CHECK(acc.grad.rows() == 4);
    CHECK(acc.grad.sum() == doctest::Approx(12.0));
    CHECK(acc.sums.loss == doctest::Approx(1.0));
    SharePartial same;
    same.grad = spk::RowMatrixXf::Ones(4, 3);
    CHECK(add_partial(&acc, same));
    CHECK(acc.grad.sum() == doctest::Approx(24.0));
}
