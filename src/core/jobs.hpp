// jobs.hpp: the messages of jobs that run elsewhere (a Web Worker, another thread).
//
// A Web Worker shares no memory with the page (no SharedArrayBuffer: embeds in
// cross-origin iframes and hosts without COOP/COEP must work), so a share of a
// superposition step travels as bytes: the request carries everything
// SuperposeShare::compute needs (sizes, kernel, loss parameters, tile range,
// the vectors), the reply the share's partial gradient and sums. Both ends are
// the same C++ compiled to the same wasm, so fixed-size fields are copied as
// they are; a magic word, a version and every size are checked on decoding.
//
//   page:   bytes = encode_share_request(id, V, kernel, lp, range)   -> worker k
//   worker: decode_share_request(bytes, &req); share.compute(...); encode_share_reply(id, part)
//   page:   decode_share_reply(bytes, &id, &part); add_partial in the order k = 0..K-1
#pragma once
#include <cstdint>
#include <string>
#include "core/superpose/superpose.hpp"

namespace factlab::jobs {

struct ShareRequest {
    uint32_t id = 0;                 // which step (and redo) this share belongs to
    int n = 0, d = 0;
    spk::KernelKind kernel = spk::KernelKind::simd;
    spk::LossParams lp;
    ShareRange range;
    const float* V = nullptr;        // (N, d) row-major, inside the decoded bytes
};

// V is (N, d), rows ld floats apart.
std::string encode_share_request(uint32_t id, const float* V, int n, int d, int ld, spk::KernelKind kernel,
                                 const spk::LossParams& lp, const ShareRange& range);
// On success `out->V` points into `bytes` (keep them alive while using it).
bool decode_share_request(const std::string& bytes, ShareRequest* out, std::string* err);

std::string encode_share_reply(uint32_t id, const SharePartial& part);
// The longest reply a share request of n x d can get (a partial, or an error): the
// page refuses a longer one before copying it.
size_t share_reply_max_bytes(int n, int d);
// A reply that is an error (the worker could not set up): decode gives err.
std::string encode_share_error(uint32_t id, const std::string& message);
bool decode_share_reply(const std::string& bytes, uint32_t* id, SharePartial* out, std::string* err);

}  // namespace factlab::jobs
