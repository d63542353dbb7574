// checkpoint.cpp: GPT-2 checkpoint folders (see checkpoint.hpp). Nothing here throws: JSON
// is parsed with allow_exceptions = false and every value's type is checked before it is read.
#include "core/gpt/checkpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/types.h>
#include "core/io.hpp"

namespace factlab {

using ordered_json = nlohmann::ordered_json;

namespace {

bool fail(std::string* error, const std::string& m) { if (error) *error = m; return false; }

std::string dump(const ordered_json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string shape_text(const std::vector<int64_t>& s) {
    std::string t = "(";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + (s.size() == 1 ? ",)" : ")");
}

// ---- half precision (IEEE binary16) and bfloat16, by hand ----
float half_to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) bits = sign;
        else {                                   // subnormal: normalise
            int e = -1;
            uint32_t m = man;
            do { ++e; m <<= 1; } while ((m & 0x400u) == 0);
            bits = sign | uint32_t(127 - 15 - e) << 23 | (m & 0x3ffu) << 13;
        }
    } else if (exp == 31) bits = sign | 0x7f800000u | man << 13;   // inf / nan
    else bits = sign | (exp + 127 - 15) << 23 | man << 13;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t float_to_half(float f) {                // round to nearest even
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
    if (ax >= 0x477ff000u) return uint16_t(sign | 0x7c00u);        // rounds to >= 65520: inf
    if (ax < 0x38800000u) {                                        // subnormal half (or zero)
        if (ax < 0x33000000u) return sign;                         // below half the smallest subnormal
        const uint32_t e = ax >> 23, m = (ax & 0x7fffffu) | 0x800000u;
        const int shift = int(126 - e);                             // 14 .. 24
        uint32_t r = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u))) ++r;
        return uint16_t(sign | r);
    }
    uint32_t r = ((ax - 0x38000000u) >> 13);                       // rebias exponent 127 -> 15
    const uint32_t rem = ax & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ++r;
    return uint16_t(sign | r);
}

float bf16_to_float(uint16_t b) {
    uint32_t bits = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint64_t read_u64_le(const std::string& s, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | uint8_t(s[at + size_t(i)]);
    return v;
}

// A non-negative JSON integer no larger than `max`.
bool json_uint(const ordered_json& j, uint64_t max, uint64_t* out) {
    if (j.is_number_unsigned()) { uint64_t v = j.get<uint64_t>(); if (v > max) return false; *out = v; return true; }
    if (j.is_number_integer()) { int64_t v = j.get<int64_t>(); if (v < 0 || uint64_t(v) > max) return false; *out = uint64_t(v); return true; }
    return false;
}

struct Entry {
    std::string name;
    int dtype_size = 4;
    std::string dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

// The header's entries, checked: known dtypes, sizes that agree with the shapes, offsets inside
// the data, no overlaps and no holes (the safetensors rules).
bool parse_header(const std::string& bytes, std::vector<Entry>* entries, size_t* data_at, std::string* error) {
    if (bytes.size() < 8) return fail(error, "the file is " + std::to_string(bytes.size()) + " bytes, too short for a safetensors header");
    const uint64_t n = read_u64_le(bytes, 0);
    if (n > (100u << 20)) return fail(error, "the header claims " + std::to_string(n) + " bytes (at most 100 MB)");
    if (n > bytes.size() - 8)
        return fail(error, "the header claims " + std::to_string(n) + " bytes but the file has only " +
                               std::to_string(bytes.size() - 8) + " after the length: truncated");
    ordered_json h = ordered_json::parse(bytes.begin() + 8, bytes.begin() + 8 + std::ptrdiff_t(n), nullptr, false);
    if (h.is_discarded() || !h.is_object()) return fail(error, "the header is not a JSON object");
    const uint64_t data_size = bytes.size() - 8 - n;
    std::vector<Entry> out;
    for (auto it = h.begin(); it != h.end(); ++it) {
        const std::string& name = it.key();
        const ordered_json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) return fail(error, "__metadata__ is not an object");
            continue;
        }
        auto bad = [&](const std::string& m) { return fail(error, "tensor " + name + ": " + m); };
        if (!v.is_object()) return bad("not an object");
        auto dt = v.find("dtype"), sh = v.find("shape"), off = v.find("data_offsets");
        if (dt == v.end() || !dt->is_string()) return bad("no dtype string");
        if (sh == v.end() || !sh->is_array()) return bad("no shape list");
        if (off == v.end() || !off->is_array() || off->size() != 2) return bad("data_offsets is not [begin, end]");
        Entry e;
        e.name = name;
        e.dtype = dt->get<std::string>();
        if (e.dtype == "F32") e.dtype_size = 4;
        else if (e.dtype == "F16" || e.dtype == "BF16") e.dtype_size = 2;
        else return bad("dtype " + e.dtype + " is not supported (F32, F16 or BF16)");
        if (sh->size() > 8) return bad("more than 8 dimensions");
        uint64_t numel = 1;
        for (const ordered_json& d : *sh) {
            uint64_t x;
            if (!json_uint(d, uint64_t(1) << 31, &x)) return bad("a dimension is not a whole number from 0 to 2^31");
            e.shape.push_back(int64_t(x));
            numel = x == 0 ? 0 : numel * x;
            if (numel > (uint64_t(1) << 34)) return bad("absurd size " + shape_text(e.shape) + "...");
        }
        if (!json_uint((*off)[0], uint64_t(1) << 62, &e.begin) || !json_uint((*off)[1], uint64_t(1) << 62, &e.end))
            return bad("data_offsets are not whole numbers");
        if (e.begin > e.end) return bad("data_offsets end before they begin");
        if (e.end > data_size)
            return bad("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                       ") run past the data (" + std::to_string(data_size) + " bytes): truncated or lying header");
        if (e.end - e.begin != numel * uint64_t(e.dtype_size))
            return bad("shape " + shape_text(e.shape) + " of " + e.dtype + " needs " + std::to_string(numel * uint64_t(e.dtype_size)) +
                       " bytes, data_offsets give " + std::to_string(e.end - e.begin));
        out.push_back(std::move(e));
    }
    std::vector<const Entry*> by_begin;
    for (const Entry& e : out) by_begin.push_back(&e);
    std::sort(by_begin.begin(), by_begin.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t at = 0;
    for (const Entry* e : by_begin) {
        if (e->begin < at) return fail(error, "tensor " + e->name + " overlaps the tensor before it in the data");
        if (e->begin > at) return fail(error, "the data has a hole before tensor " + e->name);
        at = e->end;
    }
    if (at != data_size)
        return fail(error, "the data has " + std::to_string(data_size - at) + " bytes after the last tensor");
    *entries = std::move(out);
    *data_at = size_t(8 + n);
    return true;
}

void convert(const std::string& bytes, size_t at, const Entry& e, float* dst) {
    const char* p = bytes.data() + at + e.begin;
    const int64_t n = int64_t((e.end - e.begin) / uint64_t(e.dtype_size));
    if (e.dtype == "F32") {
        for (int64_t i = 0; i < n; ++i) {
            uint32_t bits = 0;
            for (int b = 3; b >= 0; --b) bits = bits << 8 | uint8_t(p[i * 4 + b]);
            std::memcpy(dst + i, &bits, 4);
        }
        return;
    }
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t u = uint16_t(uint8_t(p[i * 2]) | uint16_t(uint8_t(p[i * 2 + 1])) << 8);
        dst[i] = e.dtype == "F16" ? half_to_float(u) : bf16_to_float(u);
    }
}

bool ends_with(const std::string& s, const char* tail) {
    const size_t n = std::strlen(tail);
    return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

bool get_int(const ordered_json& j, const char* key, bool required, int fallback, int* out, std::string* error) {
    auto it = j.find(key);
    if (it == j.end() || (it->is_null() && !required)) {
        if (required) return fail(error, std::string("config.json: missing \"") + key + "\"");
        *out = fallback;
        return true;
    }
    uint64_t v;
    if (!json_uint(*it, 1u << 30, &v)) return fail(error, std::string("config.json: \"") + key + "\" is not a whole number from 0 to 2^30");
    *out = int(v);
    return true;
}

bool make_dirs(const std::string& dir, std::string* error) {
    if (dir.empty()) return fail(error, "empty folder name");
    for (size_t i = 1; i <= dir.size(); ++i) {
        if (i < dir.size() && dir[i] != '/') continue;
        std::string part = dir.substr(0, i);
        if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            return fail(error, part + ": cannot create folder (" + std::strerror(errno) + ")");
    }
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return fail(error, dir + ": not a folder");
    return true;
}

std::string join(const std::string& dir, const char* name) {
    return (!dir.empty() && dir.back() == '/') ? dir + name : dir + "/" + name;
}

bool exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

float gpt_half_to_float(uint16_t h) { return half_to_float(h); }
uint16_t gpt_float_to_half(float f) { return float_to_half(f); }

// ---- safetensors ------------------------------------------------------------------------
std::string gpt_safetensors_encode(const GptWeights& w, GptDtype dtype) {
    const int bytes_per = dtype == GptDtype::f32 ? 4 : 2;
    ordered_json h = ordered_json::object();
    h["__metadata__"] = {{"format", "pt"}};
    uint64_t at = 0;
    const std::vector<GptConstTensor> ts = w.tensors();
    for (const GptConstTensor& t : ts) {
        const uint64_t nb = uint64_t(t.size()) * uint64_t(bytes_per);
        h[t.name] = {{"dtype", dtype == GptDtype::f32 ? "F32" : "F16"}, {"shape", t.shape}, {"data_offsets", {at, at + nb}}};
        at += nb;
    }
    std::string header = dump(h, -1);
    while ((8 + header.size()) % 8 != 0) header += ' ';          // data 8-byte aligned, as safetensors writes
    std::string out;
    out.reserve(8 + header.size() + at);
    for (int i = 0; i < 8; ++i) out += char((uint64_t(header.size()) >> (8 * i)) & 0xffu);
    out += header;
    for (const GptConstTensor& t : ts) {
        for (int64_t i = 0; i < t.size(); ++i) {
            if (dtype == GptDtype::f32) {
                uint32_t bits;
                std::memcpy(&bits, t.data + i, 4);
                for (int b = 0; b < 4; ++b) out += char((bits >> (8 * b)) & 0xffu);
            } else {
                const uint16_t u = float_to_half(t.data[i]);
                out += char(u & 0xffu);
                out += char(u >> 8);
            }
        }
    }
    return out;
}

bool gpt_safetensors_decode(const std::string& bytes, const GptConfig& config, GptWeights* out, std::string* error) {
    std::vector<Entry> entries;
    size_t data_at = 0;
    if (!parse_header(bytes, &entries, &data_at, error)) return false;
    GptWeights w;
    std::string e;
    if (!config.validate(&e)) return fail(error, "config.json: " + e);
    // Before allocating: a config that wants more weights than the file can hold is lying.
    const uint64_t data_size = bytes.size() - data_at;
    if (uint64_t(config.n_params()) * 2 > data_size)
        return fail(error, "config.json describes " + std::to_string(config.n_params()) + " weights but the file holds " +
                               std::to_string(data_size) + " bytes of data: the file and the config disagree");
    if (!w.resize(config, &e)) return fail(error, "config.json: " + e);
    std::map<std::string, const Entry*> by_name;
    for (const Entry& en : entries) by_name[en.name] = &en;

    std::vector<GptTensor> ts = w.tensors();
    std::map<const Entry*, bool> used;
    for (GptTensor& t : ts) {
        auto it = by_name.find(t.name);
        if (it == by_name.end() && t.name.rfind("transformer.", 0) == 0) it = by_name.find(t.name.substr(12));
        if (it == by_name.end()) return fail(error, "tensor " + t.name + " is missing");
        const Entry& en = *it->second;
        std::vector<int64_t> want(t.shape.begin(), t.shape.end());
        if (en.shape != want)
            return fail(error, "tensor " + en.name + " has shape " + shape_text(en.shape) + " but config.json gives " +
                                   shape_text(want));
        convert(bytes, data_at, en, t.data);
        used[&en] = true;
    }
    for (const Entry& en : entries) {
        if (used.count(&en)) continue;
        if (ends_with(en.name, ".attn.bias") || ends_with(en.name, ".attn.masked_bias")) continue;   // GPT-2's mask buffers
        if (en.name == "lm_head.weight") {                          // tied: must be wte itself
            std::vector<int64_t> want{w.wte.rows(), w.wte.cols()};
            if (en.shape != want) return fail(error, "lm_head.weight has shape " + shape_text(en.shape) + ", wte " + shape_text(want));
            GptMatrix lm(w.wte.rows(), w.wte.cols());
            convert(bytes, data_at, en, lm.data());
            if (!(lm.array() == w.wte.array()).all())
                return fail(error, "lm_head.weight differs from transformer.wte.weight, but the model ties them");
            continue;
        }
        return fail(error, "unexpected tensor " + en.name + " (config.json: n_layer " + std::to_string(config.n_layer) +
                               "): the file and the config disagree");
    }
    if (!w.finite(&e)) return fail(error, e);
    *out = std::move(w);
    return true;
}

// ---- config and vocab -------------------------------------------------------------------
std::string gpt_config_json(const GptConfig& c, int end_id) {
    ordered_json j;
    j["architectures"] = {"GPT2LMHeadModel"};
    j["model_type"] = "gpt2";
    j["n_layer"] = c.n_layer;
    j["n_head"] = c.n_head;
    j["n_embd"] = c.n_embd;
    j["n_positions"] = c.n_positions;
    j["n_ctx"] = c.n_positions;
    j["vocab_size"] = c.vocab_size;
    j["n_inner"] = c.n_inner;
    j["activation_function"] = "gelu_new";
    j["layer_norm_epsilon"] = double(c.layer_norm_epsilon);
    j["tie_word_embeddings"] = true;
    j["scale_attn_weights"] = true;
    j["bos_token_id"] = end_id;
    j["eos_token_id"] = end_id;
    j["resid_pdrop"] = 0.0;
    j["embd_pdrop"] = 0.0;
    j["attn_pdrop"] = 0.0;
    j["torch_dtype"] = "float32";
    j["tokenizer"] = "factlab words (docs/gpt.md): split on whitespace, a trailing , ; : ? ! is a token";
    return dump(j, 2) + "\n";
}

std::string gpt_vocab_json(const GptVocab& v) {
    ordered_json j = ordered_json::object();
    for (size_t i = 0; i < v.words.size(); ++i) j[v.words[i]] = int(i);
    return dump(j, 1) + "\n";
}

bool gpt_parse_config(const std::string& text, GptConfig* out, std::string* error) {
    ordered_json j = ordered_json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(error, "config.json: not a JSON object");
    auto str_is = [&](const char* key, std::initializer_list<const char*> ok) -> bool {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) return true;
        if (it->is_string())
            for (const char* o : ok) if (it->get<std::string>() == o) return true;
        return fail(error, std::string("config.json: \"") + key + "\" must be \"" + *ok.begin() + "\", got " + dump(*it, -1).substr(0, 60));
    };
    if (!str_is("model_type", {"gpt2"}) || !str_is("activation_function", {"gelu_new", "gelu_pytorch_tanh"})) return false;
    auto flag_is = [&](const char* key, bool want) {
        auto it = j.find(key);
        if (it == j.end() || it->is_null() || (it->is_boolean() && it->get<bool>() == want)) return true;
        return fail(error, std::string("config.json: \"") + key + "\" must be " + (want ? "true" : "false") + " for this model");
    };
    if (!flag_is("tie_word_embeddings", true) || !flag_is("scale_attn_weights", true) ||
        !flag_is("scale_attn_by_inverse_layer_idx", false) || !flag_is("add_cross_attention", false))
        return false;
    GptConfig c;
    if (!get_int(j, "n_layer", true, 0, &c.n_layer, error) || !get_int(j, "n_head", true, 0, &c.n_head, error) ||
        !get_int(j, "n_embd", true, 0, &c.n_embd, error) || !get_int(j, "vocab_size", true, 0, &c.vocab_size, error))
        return false;
    const bool has_pos = j.contains("n_positions");
    if (!get_int(j, has_pos ? "n_positions" : "n_ctx", true, 0, &c.n_positions, error)) return false;
    if (!get_int(j, "n_inner", false, 4 * c.n_embd, &c.n_inner, error)) return false;
    auto eps = j.find("layer_norm_epsilon");
    if (eps != j.end() && !eps->is_null()) {
        if (!eps->is_number()) return fail(error, "config.json: \"layer_norm_epsilon\" is not a number");
        c.layer_norm_epsilon = float(eps->get<double>());
    }
    std::string e;
    if (!c.validate(&e)) return fail(error, "config.json: " + e);
    *out = c;
    return true;
}

bool gpt_parse_vocab(const std::string& text, GptVocab* out, std::string* error) {
    ordered_json j = ordered_json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(error, "vocab.json: not a JSON object {word: id}");
    const size_t n = j.size();
    if (n > 1000000) return fail(error, "vocab.json: " + std::to_string(n) + " words (at most 1,000,000)");
    std::vector<std::string> words(n);
    std::vector<char> seen(n, 0);
    for (auto it = j.begin(); it != j.end(); ++it) {
        uint64_t id;
        if (!json_uint(it.value(), n ? n - 1 : 0, &id) || n == 0)
            return fail(error, "vocab.json: the id of \"" + it.key().substr(0, 60) + "\" is not a whole number from 0 to " + std::to_string(n ? n - 1 : 0));
        if (seen[id]) return fail(error, "vocab.json: id " + std::to_string(id) + " is given to two words");
        seen[id] = 1;
        words[id] = it.key();
    }
    std::string e;
    if (!gpt_vocab_from_words(std::move(words), out, &e)) return fail(error, "vocab.json: " + e);
    return true;
}

// ---- folders ----------------------------------------------------------------------------
bool gpt_checkpoint_to_files(const GptModel& m, GptCheckpointFiles* out, GptDtype dtype) {
    out->config_json = gpt_config_json(m.weights.config, m.vocab.end_id);
    out->vocab_json = gpt_vocab_json(m.vocab);
    out->safetensors = gpt_safetensors_encode(m.weights, dtype);
    out->facts_csv = m.has_facts ? facts_to_csv(m.facts) : std::string();
    return true;
}

bool gpt_checkpoint_from_files(const GptCheckpointFiles& f, GptModel* out, std::string* error) {
    GptModel m;
    std::string e;
    if (!gpt_parse_config(f.config_json, &m.weights.config, error)) return false;
    if (!gpt_parse_vocab(f.vocab_json, &m.vocab, error)) return false;
    const GptConfig c = m.weights.config;
    if (m.vocab.size() != c.vocab_size)
        return fail(error, "config.json says vocab_size " + std::to_string(c.vocab_size) + " but vocab.json has " +
                               std::to_string(m.vocab.size()) + " words");
    if (!gpt_safetensors_decode(f.safetensors, c, &m.weights, &e)) return fail(error, "model.safetensors: " + e);
    if (!f.facts_csv.empty()) {
        ParseResult r = parse_facts_csv(f.facts_csv);
        if (!r.ok) {
            const ParseIssue& i = r.errors.front();
            return fail(error, "facts.csv: line " + std::to_string(i.line) + ": " + i.reason);
        }
        std::vector<GptPrompt> ps;
        if (!gpt_build_prompts(r.facts, m.vocab, &ps, &e)) return fail(error, "facts.csv does not fit vocab.json: " + e);
        m.facts = std::move(r.facts);
        m.has_facts = true;
    }
    *out = std::move(m);
    return true;
}

bool gpt_save_checkpoint(const std::string& dir, const GptModel& m, std::string* error, GptDtype dtype) {
    GptCheckpointFiles f;
    gpt_checkpoint_to_files(m, &f, dtype);
    if (!make_dirs(dir, error)) return false;
    if (!write_file(join(dir, "config.json"), f.config_json, error) || !write_file(join(dir, "vocab.json"), f.vocab_json, error) ||
        !write_file(join(dir, "model.safetensors"), f.safetensors, error))
        return false;
    if (m.has_facts && !write_file(join(dir, "facts.csv"), f.facts_csv, error)) return false;
    return true;
}

bool gpt_load_checkpoint(const std::string& dir, GptModel* out, std::string* error) {
    GptCheckpointFiles f;
    std::string e;
    if (!read_file(join(dir, "config.json"), &f.config_json, &e, 1u << 20)) return fail(error, e);
    if (!read_file(join(dir, "vocab.json"), &f.vocab_json, &e, 64u << 20)) return fail(error, e);
    if (!read_file(join(dir, "model.safetensors"), &f.safetensors, &e, size_t(512) << 20)) return fail(error, e);
    const std::string facts = join(dir, "facts.csv");
    if (exists(facts) && !read_file(facts, &f.facts_csv, &e, 8u << 20)) return fail(error, e);
    if (!gpt_checkpoint_from_files(f, out, &e)) return fail(error, dir + ": " + e);
    return true;
}

}  // namespace factlab
