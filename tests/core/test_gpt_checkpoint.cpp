// test_gpt_checkpoint.cpp: GPT-2 checkpoint folders: round trips (F32, F16), GPT-2's names
// and layout, and hostile files (truncated, lying headers, overlaps, a config that disagrees,
// NaN, absurd sizes, missing tensors): a message, never a crash, the previous model intact.
#include <doctest/doctest.h>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include "core/gpt/checkpoint.hpp"
#include "core/io.hpp"

using namespace factlab;
using json = nlohmann::ordered_json;

namespace {

const char* kFacts =
    "subject,relation,object\n"
    "United States,capital,\"Washington, D.C.\"\n"
    "France,capital,Paris\n"
    "New York City,state,New York\n";

GptModel small_model(uint64_t seed = 7) {
    GptModel m;
    ParseResult r = parse_facts_csv(kFacts);
    REQUIRE(r.ok);
    m.facts = r.facts;
    m.has_facts = true;
    m.vocab = gpt_make_vocab(m.facts);
    GptConfig c;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 8;
    c.n_positions = 16;
    c.n_inner = 12;
    c.vocab_size = m.vocab.size();
    std::string err;
    REQUIRE(m.weights.resize(c, &err));
    m.weights.init(seed);
    // Make biases and LayerNorms non-trivial so every tensor's bytes matter.
    int k = 0;
    for (GptTensor& t : m.weights.tensors())
        for (int64_t i = 0; i < t.size(); ++i) t.data[i] += 0.001f * float((k++ % 17) - 8);
    return m;
}

bool same_weights(const GptWeights& a, const GptWeights& b) {
    std::vector<GptConstTensor> ta = a.tensors(), tb = b.tensors();
    if (ta.size() != tb.size()) return false;
    for (size_t i = 0; i < ta.size(); ++i) {
        if (ta[i].name != tb[i].name || ta[i].shape != tb[i].shape) return false;
        if (std::memcmp(ta[i].data, tb[i].data, size_t(ta[i].size()) * 4) != 0) return false;
    }
    return true;
}

// A safetensors file from a header and data (the length prefix computed).
std::string st_file(const std::string& header, const std::string& data) {
    std::string out;
    for (int i = 0; i < 8; ++i) out += char((uint64_t(header.size()) >> (8 * i)) & 0xff);
    return out + header + data;
}

// Splits a valid file into its header JSON and data.
void st_split(const std::string& file, json* header, std::string* data) {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | uint8_t(file[size_t(i)]);
    *header = json::parse(file.substr(8, n));
    *data = file.substr(8 + n);
}

// Decoding `file` fails with a message holding `what`, and leaves `into` as it was.
void expect_bad(const std::string& file, const GptConfig& c, const std::string& what) {
    GptModel before = small_model(99);
    GptWeights into = before.weights;
    std::string err;
    CHECK_FALSE(gpt_safetensors_decode(file, c, &into, &err));
    CAPTURE(err);
    CHECK(err.find(what) != std::string::npos);
    CHECK(same_weights(into, before.weights));
}

std::string tmp_dir(const char* name) {
    return std::string(FACTLAB_SOURCE_DIR) + "/build/test-tmp/" + name;
}

}  // namespace

TEST_CASE("gpt checkpoint: half precision by hand, every half value") {
    CHECK(gpt_float_to_half(1.f) == 0x3c00);
    CHECK(gpt_float_to_half(-2.f) == 0xc000);
    CHECK(gpt_float_to_half(65504.f) == 0x7bff);
    CHECK(gpt_float_to_half(65520.f) == 0x7c00);                                   // rounds to inf
    CHECK(gpt_float_to_half(std::ldexp(1.f, -24)) == 0x0001);                      // smallest subnormal
    CHECK(gpt_float_to_half(std::ldexp(1.f, -25)) == 0x0000);                      // a tie: to even (0)
    CHECK(gpt_float_to_half(std::ldexp(3.f, -25)) == 0x0002);                      // a tie: to even (2)
    CHECK(gpt_float_to_half(1.f + std::ldexp(1.f, -11)) == 0x3c00);                // tie to even
    CHECK(gpt_float_to_half(1.f + std::ldexp(3.f, -11)) == 0x3c02);
    CHECK(std::isnan(gpt_half_to_float(gpt_float_to_half(std::numeric_limits<float>::quiet_NaN()))));
    int mismatches = 0;
    for (uint32_t h = 0; h < 0x10000u; ++h) {
        const float f = gpt_half_to_float(uint16_t(h));
        if (std::isnan(f)) continue;
        if (gpt_float_to_half(f) != h) ++mismatches;
        // Halfway to the next half up rounds to the even one of the two.
        if ((h & 0x7fffu) < 0x7bffu) {
            const float g = gpt_half_to_float(uint16_t(h + 1));
            const float mid = 0.5f * (f + g);                                        // exact in float
            const uint16_t want = (h & 1u) ? uint16_t(h + 1) : uint16_t(h);
            if (gpt_float_to_half(mid) != want) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("gpt checkpoint: safetensors round trip, GPT-2's names, shapes and (in, out) layout") {
    GptModel m = small_model();
    const GptConfig& c = m.weights.config;
    std::string file = gpt_safetensors_encode(m.weights);
    json h;
    std::string data;
    st_split(file, &h, &data);
    CHECK((8 + file.size() - data.size() - 8) % 8 == 0);                          // data 8-byte aligned
    CHECK(h["__metadata__"]["format"] == "pt");
    CHECK(h["transformer.wte.weight"]["shape"] == json({c.vocab_size, c.n_embd}));
    CHECK(h["transformer.wpe.weight"]["shape"] == json({c.n_positions, c.n_embd}));
    CHECK(h["transformer.h.0.ln_1.weight"]["shape"] == json({c.n_embd}));
    CHECK(h["transformer.h.1.attn.c_attn.weight"]["shape"] == json({c.n_embd, 3 * c.n_embd}));
    CHECK(h["transformer.h.1.attn.c_attn.bias"]["shape"] == json({3 * c.n_embd}));
    CHECK(h["transformer.h.0.attn.c_proj.weight"]["shape"] == json({c.n_embd, c.n_embd}));
    CHECK(h["transformer.h.0.mlp.c_fc.weight"]["shape"] == json({c.n_embd, c.n_inner}));
    CHECK(h["transformer.h.0.mlp.c_proj.weight"]["shape"] == json({c.n_inner, c.n_embd}));
    CHECK(h["transformer.ln_f.bias"]["dtype"] == "F32");
    CHECK(h.size() == 1 + 2 + 12 * 2 + 2);
    // Row-major (in, out): element [i][j] of c_fc.weight sits at i * F + j.
    auto offs = h["transformer.h.1.mlp.c_fc.weight"]["data_offsets"];
    float v;
    std::memcpy(&v, data.data() + offs[0].get<size_t>() + (2 * c.n_inner + 5) * 4, 4);
    CHECK(v == m.weights.h[1].mlp.c_fc.weight(2, 5));

    GptWeights back;
    std::string err;
    REQUIRE(gpt_safetensors_decode(file, c, &back, &err));
    CHECK(same_weights(back, m.weights));

    // F16: every weight within half precision of the original; reading F16 back is exact.
    std::string half = gpt_safetensors_encode(m.weights, GptDtype::f16);
    CHECK(half.size() < file.size());
    GptWeights h16;
    REQUIRE(gpt_safetensors_decode(half, c, &h16, &err));
    const GptWeights& mw = m.weights;
    const GptWeights& hw = h16;
    std::vector<GptConstTensor> a = mw.tensors(), b = hw.tensors();
    for (size_t t = 0; t < a.size(); ++t)
        for (int64_t i = 0; i < a[t].size(); ++i) {
            CHECK(b[t].data[i] == gpt_half_to_float(gpt_float_to_half(a[t].data[i])));
            CHECK(std::fabs(b[t].data[i] - a[t].data[i]) <= std::fabs(a[t].data[i]) * 0x1p-11f + 0x1p-25f);
        }
    CHECK(gpt_safetensors_encode(h16, GptDtype::f16) == half);

    // GPT2Model's names (no "transformer." prefix), mask buffers and a tied lm_head are accepted.
    json h2 = json::object();
    std::string data2 = data;
    for (auto it = h.begin(); it != h.end(); ++it) {
        std::string k = it.key();
        h2[k.rfind("transformer.", 0) == 0 ? k.substr(12) : k] = it.value();
    }
    const size_t wte_bytes = size_t(c.vocab_size) * size_t(c.n_embd) * 4;
    h2["lm_head.weight"] = {{"dtype", "F32"}, {"shape", {c.vocab_size, c.n_embd}}, {"data_offsets", {data.size(), data.size() + wte_bytes}}};
    data2 += data.substr(0, wte_bytes);
    h2["h.0.attn.bias"] = {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {data2.size(), data2.size() + 4}}};
    data2 += std::string(4, '\0');
    REQUIRE(gpt_safetensors_decode(st_file(h2.dump(), data2), c, &back, &err));
    CHECK(same_weights(back, m.weights));
    // An lm_head that is not wte contradicts tie_word_embeddings.
    data2[data.size() + 3] ^= 0x40;
    expect_bad(st_file(h2.dump(), data2), c, "lm_head.weight differs");
}

TEST_CASE("gpt checkpoint: hostile safetensors files get a message, never a crash") {
    GptModel m = small_model();
    const GptConfig c = m.weights.config;
    const std::string good = gpt_safetensors_encode(m.weights);
    json h;
    std::string data;
    st_split(good, &h, &data);

    // Every truncation of the file (a sample of cut points, every one near the ends).
    for (size_t cut = 0; cut < good.size(); cut += (cut < 64 || cut + 64 > good.size()) ? 1 : 37) {
        GptWeights into;
        std::string err;
        CHECK_FALSE(gpt_safetensors_decode(good.substr(0, cut), c, &into, &err));
        CHECK(!err.empty());
    }
    expect_bad("", c, "too short");
    expect_bad(good.substr(0, 8) + "{", c, "truncated");
    {   // header length larger than the file, and absurd
        std::string f = good;
        f[0] = char(0xff); f[1] = char(0xff); f[2] = char(0x0f);
        expect_bad(f, c, "truncated");
        f[5] = 1;
        expect_bad(f, c, "at most 100 MB");
    }
    expect_bad(st_file("[1,2]", ""), c, "not a JSON object");
    expect_bad(st_file("{\"a\":", ""), c, "not a JSON object");

    auto with = [&](const std::string& name, const json& entry) {
        json h2 = h;
        h2[name] = entry;
        return st_file(h2.dump(), data);
    };
    json wte = h["transformer.wte.weight"];
    const uint64_t wte_end = wte["data_offsets"][1].get<uint64_t>();
    json e = wte;
    e["data_offsets"] = {0, data.size() + 4};
    e["shape"] = {(data.size() + 4) / 4};
    expect_bad(with("transformer.wte.weight", e), c, "run past the data");
    json wpe = h["transformer.wpe.weight"];
    e = wpe;                                                                        // wpe starts inside wte
    e["data_offsets"] = {wte_end - 8, wpe["data_offsets"][1].get<uint64_t>() - 8};
    expect_bad(with("transformer.wpe.weight", e), c, "overlaps");
    e = wte;
    e["data_offsets"] = {wte_end, 0};
    expect_bad(with("transformer.wte.weight", e), c, "end before they begin");
    e = wte;
    e["data_offsets"] = {0, wte_end - 4};
    expect_bad(with("transformer.wte.weight", e), c, "needs");
    e = wte;
    e["dtype"] = "I64";
    expect_bad(with("transformer.wte.weight", e), c, "not supported");
    e = wte;
    e["shape"] = {1u << 31, 1u << 31, 1u << 31};
    expect_bad(with("transformer.wte.weight", e), c, "absurd size");
    e = wte;
    e["shape"] = {-1, 4};
    expect_bad(with("transformer.wte.weight", e), c, "whole number");
    e = wte;
    e["data_offsets"] = {0, -5};
    expect_bad(with("transformer.wte.weight", e), c, "not whole numbers");
    e = wte;
    e["data_offsets"] = "0..8";
    expect_bad(with("transformer.wte.weight", e), c, "data_offsets");
    expect_bad(with("transformer.wte.weight", json(3)), c, "not an object");
    expect_bad(with("__metadata__", json(3)), c, "__metadata__");
    {   // a hole: wte shrunk in the header only
        json h2 = h;
        h2["transformer.wte.weight"]["shape"] = {c.vocab_size - 1, c.n_embd};
        h2["transformer.wte.weight"]["data_offsets"] = {0, wte_end - uint64_t(c.n_embd) * 4};
        expect_bad(st_file(h2.dump(), data), c, "hole");
        // trailing bytes after the last tensor
        expect_bad(good + "xxxx", c, "after the last tensor");
    }
    {   // a missing tensor
        json h2 = h;
        h2.erase("transformer.ln_f.bias");
        expect_bad(st_file(h2.dump(), data.substr(0, data.size() - size_t(c.n_embd) * 4)), c, "transformer.ln_f.bias is missing");
    }
    {   // the config disagrees with the tensors
        GptConfig wide = c;
        wide.n_inner = c.n_inner + 4;
        expect_bad(good, wide, "mlp.c_fc.weight has shape");
        GptConfig shallow = c;
        shallow.n_layer = 1;
        expect_bad(good, shallow, "unexpected tensor transformer.h.1");
        GptConfig huge = c;
        huge.n_layer = 20;
        huge.n_embd = 512;
        huge.n_head = 8;
        huge.n_inner = 512;
        expect_bad(good, huge, "the file and the config disagree");
        GptConfig broken = c;
        broken.n_head = 3;
        expect_bad(good, broken, "multiple of n_head");
    }
    {   // NaN and infinite weights
        std::string f = good;
        const size_t at = good.size() - data.size() + 4 * 5;                      // wte[0][5]
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(&f[at], &nan, 4);
        expect_bad(f, c, "transformer.wte.weight");
        const float inf = std::numeric_limits<float>::infinity();
        std::memcpy(&f[at], &inf, 4);
        expect_bad(f, c, "transformer.wte.weight");
    }
}

TEST_CASE("gpt checkpoint: config.json and vocab.json, GPT-2's keys, checked") {
    GptModel m = small_model();
    json cj = json::parse(gpt_config_json(m.weights.config, m.vocab.end_id));
    CHECK(cj["model_type"] == "gpt2");
    CHECK(cj["activation_function"] == "gelu_new");
    CHECK(cj["tie_word_embeddings"] == true);
    CHECK(cj["n_layer"] == 2);
    CHECK(cj["n_head"] == 2);
    CHECK(cj["n_embd"] == 8);
    CHECK(cj["n_positions"] == 16);
    CHECK(cj["n_inner"] == 12);
    CHECK(cj["vocab_size"] == m.vocab.size());
    CHECK(std::fabs(cj["layer_norm_epsilon"].get<double>() - 1e-5) < 1e-12);
    GptConfig c;
    std::string err;
    REQUIRE(gpt_parse_config(cj.dump(), &c, &err));
    CHECK(c.n_layer == 2);
    CHECK(c.n_inner == 12);
    CHECK(c.layer_norm_epsilon == m.weights.config.layer_norm_epsilon);

    auto bad_config = [&](json j, const std::string& what) {
        GptConfig keep = c, into = c;
        std::string e;
        CHECK_FALSE(gpt_parse_config(j.dump(), &into, &e));
        CAPTURE(e);
        CHECK(e.find(what) != std::string::npos);
        CHECK(into.n_layer == keep.n_layer);
    };
    json j = cj; j.erase("n_layer"); bad_config(j, "missing \"n_layer\"");
    j = cj; j["n_head"] = "four"; bad_config(j, "n_head");
    j = cj; j["n_embd"] = 1e12; bad_config(j, "n_embd");
    j = cj; j["n_embd"] = -8; bad_config(j, "n_embd");
    j = cj; j["activation_function"] = "relu"; bad_config(j, "activation_function");
    j = cj; j["model_type"] = "llama"; bad_config(j, "model_type");
    j = cj; j["tie_word_embeddings"] = false; bad_config(j, "tie_word_embeddings");
    j = cj; j["layer_norm_epsilon"] = "small"; bad_config(j, "layer_norm_epsilon");
    j = cj; j["layer_norm_epsilon"] = -1; bad_config(j, "layer_norm_epsilon");
    j = cj; j["n_layer"] = 100000; bad_config(j, "n_layer");
    bad_config(json::array(), "not a JSON object");
    {   // n_inner null: GPT-2's 4 n_embd
        j = cj; j["n_inner"] = nullptr;
        REQUIRE(gpt_parse_config(j.dump(), &c, &err));
        CHECK(c.n_inner == 32);
    }

    GptVocab v;
    REQUIRE(gpt_parse_vocab(gpt_vocab_json(m.vocab), &v, &err));
    CHECK(v.words == m.vocab.words);
    CHECK(v.end_id == m.vocab.end_id);
    GptVocab keep = v;
    CHECK_FALSE(gpt_parse_vocab("{\"a\": 0, \"<|endoftext|>\": 0}", &v, &err));
    CHECK(err.find("two words") != std::string::npos);
    CHECK_FALSE(gpt_parse_vocab("{\"a\": 0, \"<|endoftext|>\": 2}", &v, &err));
    CHECK(err.find("whole number from 0 to 1") != std::string::npos);
    CHECK_FALSE(gpt_parse_vocab("{\"a\": 0, \"b\": 1}", &v, &err));
    CHECK(err.find("end token") != std::string::npos);
    CHECK_FALSE(gpt_parse_vocab("{\"a\": \"0\"}", &v, &err));
    CHECK_FALSE(gpt_parse_vocab("[\"a\"]", &v, &err));
    CHECK(v.words == keep.words);
}

TEST_CASE("gpt checkpoint: folders round trip; a bad folder leaves the previous model intact") {
    GptModel m = small_model();
    std::string err;
    const std::string dir = tmp_dir("gpt_ckpt");
    REQUIRE(gpt_save_checkpoint(dir, m, &err));
    GptModel back;
    REQUIRE(gpt_load_checkpoint(dir, &back, &err));
    CHECK(same_weights(back.weights, m.weights));
    CHECK(back.vocab.words == m.vocab.words);
    CHECK(back.has_facts);
    CHECK(back.facts.facts.size() == 3);
    CHECK(back.facts.facts[0].object == "Washington, D.C.");

    GptCheckpointFiles f;
    REQUIRE(gpt_checkpoint_to_files(m, &f));
    auto bad_files = [&](const GptCheckpointFiles& g, const std::string& what) {
        GptModel into = back;
        std::string e;
        CHECK_FALSE(gpt_checkpoint_from_files(g, &into, &e));
        CAPTURE(e);
        CHECK(e.find(what) != std::string::npos);
        CHECK(same_weights(into.weights, back.weights));
        CHECK(into.vocab.words == back.vocab.words);
    };
    GptCheckpointFiles g = f;
    json cj = json::parse(f.config_json);
    cj["vocab_size"] = m.vocab.size() + 1;
    g.config_json = cj.dump();
    bad_files(g, "vocab_size");
    g = f;
    g.facts_csv = "subject,relation,object\nAtlantis,capital,Poseidonia\n";
    bad_files(g, "\"Atlantis\"");
    g = f;
    g.facts_csv = "subject,relation\n";
    bad_files(g, "facts.csv: line 1");
    g = f;
    g.safetensors = g.safetensors.substr(0, g.safetensors.size() / 2);
    bad_files(g, "model.safetensors: ");
    g = f;
    g.facts_csv.clear();
    GptModel no_facts;
    REQUIRE(gpt_checkpoint_from_files(g, &no_facts, &err));
    CHECK_FALSE(no_facts.has_facts);

    GptModel into = back;
    CHECK_FALSE(gpt_load_checkpoint(tmp_dir("no_such_model"), &into, &err));
    CHECK(err.find("config.json") != std::string::npos);
    CHECK(same_weights(into.weights, back.weights));
}
