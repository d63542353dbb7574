// jobs.cpp: see jobs.hpp.
#include "core/jobs.hpp"

#include <cstring>

namespace factlab::jobs {

namespace {
constexpr uint32_t kMagicRequest = 0x31534c46;   // "FLS1"
constexpr uint32_t kMagicReply = 0x32534c46;     // "FLS2"
constexpr uint32_t kMagicError = 0x33534c46;     // "FLS3"

struct RequestHead {
    uint32_t magic, id;
    int32_t n, d, kernel, tile_begin, tile_end;
    double cells;
    spk::LossParams lp;
};
struct ReplyHead {
    uint32_t magic, id;
    int32_t n, d;
    spk::GradSums sums;
};

template <class T> void put(std::string* s, const T& v) { s->append(reinterpret_cast<const char*>(&v), sizeof v); }
}  // namespace

std::string encode_share_request(uint32_t id, const float* V, int n, int d, int ld, spk::KernelKind kernel,
                                 const spk::LossParams& lp, const ShareRange& range) {
    RequestHead h{};
    h.magic = kMagicRequest;
    h.id = id;
    h.n = n;
    h.d = d;
    h.kernel = int32_t(kernel);
    h.tile_begin = range.tile_begin;
    h.tile_end = range.tile_end;
    h.cells = range.cells;
    h.lp = lp;
    std::string s;
    s.reserve(sizeof h + size_t(n) * d * sizeof(float));
    put(&s, h);
    for (int i = 0; i < n; ++i) s.append(reinterpret_cast<const char*>(V + size_t(i) * ld), size_t(d) * sizeof(float));
    return s;
}

bool decode_share_request(const std::string& bytes, ShareRequest* out, std::string* err) {
    RequestHead h;
    if (bytes.size() < sizeof h) { *err = "share request: too short"; return false; }
    std::memcpy(&h, bytes.data(), sizeof h);
    if (h.magic != kMagicRequest) { *err = "share request: not a share request"; return false; }
    if (h.n < 2 || h.d < 1 || h.n > 200000 || h.d > 4096) { *err = "share request: sizes out of range"; return false; }
    if (bytes.size() != sizeof h + size_t(h.n) * size_t(h.d) * sizeof(float)) { *err = "share request: wrong length"; return false; }
    if (h.tile_begin < 0 || h.tile_end < h.tile_begin) { *err = "share request: bad tile range"; return false; }
    if (h.kernel != int32_t(spk::KernelKind::simd) && h.kernel != int32_t(spk::KernelKind::reference) &&
        h.kernel != int32_t(spk::KernelKind::eigen)) { *err = "share request: unknown kernel"; return false; }
    out->id = h.id;
    out->n = h.n;
    out->d = h.d;
    out->kernel = spk::KernelKind(h.kernel);
    out->lp = h.lp;
    out->range.tile_begin = h.tile_begin;
    out->range.tile_end = h.tile_end;
    out->range.cells = h.cells;
    out->V = reinterpret_cast<const float*>(bytes.data() + sizeof h);   // wasm and x86: unaligned float reads are fine
    return true;
}

std::string encode_share_reply(uint32_t id, const SharePartial& part) {
    ReplyHead h{};
    h.magic = kMagicReply;
    h.id = id;
    h.n = int32_t(part.grad.rows());
    h.d = int32_t(part.grad.cols());
    h.sums = part.sums;
    std::string s;
    s.reserve(sizeof h + size_t(part.grad.size()) * sizeof(float));
    put(&s, h);
    s.append(reinterpret_cast<const char*>(part.grad.data()), size_t(part.grad.size()) * sizeof(float));
    return s;
}

size_t share_reply_max_bytes(int n, int d) {
    const size_t partial = sizeof(ReplyHead) + size_t(n > 0 ? n : 0) * size_t(d > 0 ? d : 0) * sizeof(float);
    return partial > 8 + 500 ? partial : 8 + 500;       // an error: magic, id, at most 500 bytes of text
}

std::string encode_share_error(uint32_t id, const std::string& message) {
    std::string s;
    put(&s, kMagicError);
    put(&s, id);
    s += message.substr(0, 500);
    return s;
}

bool decode_share_reply(const std::string& bytes, uint32_t* id, SharePartial* out, std::string* err) {
    uint32_t magic = 0;
    if (bytes.size() < 8) { *err = "share reply: too short"; return false; }
    std::memcpy(&magic, bytes.data(), 4);
    std::memcpy(id, bytes.data() + 4, 4);
    if (magic == kMagicError) { *err = "worker: " + bytes.substr(8); return false; }
    ReplyHead h;
    if (magic != kMagicReply || bytes.size() < sizeof h) { *err = "share reply: not a share reply"; return false; }
    std::memcpy(&h, bytes.data(), sizeof h);
    if (h.n < 0 || h.d < 0 || h.n > 200000 || h.d > 4096 ||
        bytes.size() != sizeof h + size_t(h.n) * size_t(h.d) * sizeof(float)) { *err = "share reply: wrong length"; return false; }
    out->grad.resize(h.n, h.d);
    std::memcpy(out->grad.data(), bytes.data() + sizeof h, size_t(h.n) * h.d * sizeof(float));
    out->sums = h.sums;
    return true;
}

}  // namespace factlab::jobs
