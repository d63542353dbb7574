// test_io.cpp: .npy in and out, model folders, the lookup JSON.
#include <doctest/doctest.h>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <nlohmann/json.hpp>
#include "core/io.hpp"
#include "core/rng.hpp"

using namespace factlab;

namespace {

// Test folders live in the working directory (ctest's build dir, or node's cwd).
const std::string kDir = "factlab_test_io_tmp";
const char* kFiles[] = {"W_up.npy", "b_up.npy", "W_down.npy", "b_down.npy", "tokens.npy", "objects.npy", "vocab.json"};

void remove_model_dir(const std::string& dir) {
    for (const char* f : kFiles) std::remove((dir + "/" + f).c_str());
    std::remove(dir.c_str());
}

Mat sample(int r, int c, uint64_t seed) {
    Rng rng(seed);
    Mat m(r, c);
    for (int i = 0; i < r; ++i)
        for (int j = 0; j < c; ++j) m(i, j) = float(rng.normal());
    return m;
}

std::string npy_with_header(const std::string& dict, size_t data_bytes) {
    std::string h = dict;
    while ((10 + h.size() + 1) % 64) h += ' ';
    h += '\n';
    std::string out = "\x93NUMPY";
    out += char(1);
    out += char(0);
    out += char(h.size() & 0xFF);
    out += char(h.size() >> 8);
    return out + h + std::string(data_bytes, '\0');
}

}  // namespace

TEST_CASE("io: .npy round trip, header as NumPy writes it") {
    Mat a = sample(3, 5, 1);
    std::string bytes = npy_encode(a);
    CHECK(bytes.compare(0, 6, "\x93NUMPY") == 0);
    CHECK(bytes[6] == 1);
    size_t hlen = size_t((unsigned char)bytes[8]) | size_t((unsigned char)bytes[9]) << 8;
    CHECK((10 + hlen) % 64 == 0);
    std::string header = bytes.substr(10, hlen);
    CHECK(header.find("'descr': '<f4'") != std::string::npos);
    CHECK(header.find("'fortran_order': False") != std::string::npos);
    CHECK(header.find("'shape': (3, 5)") != std::string::npos);
    CHECK(header.back() == '\n');
    CHECK(bytes.size() == 10 + hlen + 3 * 5 * 4);
    Mat back;
    std::string err;
    REQUIRE(npy_decode(bytes, &back, &err));
    CHECK(back == a);

    Vec v = sample(7, 1, 2);
    std::string vb = npy_encode(v, true);
    CHECK(vb.find("'shape': (7,)") != std::string::npos);
    REQUIRE(npy_decode(vb, &back, &err));
    CHECK(back.rows() == 7);
    CHECK(back.cols() == 1);
    CHECK(Vec(back.col(0)) == v);

    Mat empty(0, 4);
    REQUIRE(npy_decode(npy_encode(empty), &back, &err));
    CHECK(back.rows() == 0);
    CHECK(back.cols() == 4);

    // Fortran order is read correctly too (NumPy writes it for transposed arrays).
    std::string f = npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24);
    float vals[6] = {1, 2, 3, 4, 5, 6};                          // column by column
    std::memcpy(&f[f.size() - 24], vals, 24);
    REQUIRE(npy_decode(f, &back, &err));
    CHECK(back(0, 0) == 1);
    CHECK(back(1, 0) == 2);
    CHECK(back(0, 1) == 3);
    CHECK(back(1, 2) == 6);
}

TEST_CASE("io: malformed .npy files are rejected with a reason, never a crash") {
    Mat back;
    std::string err;
    auto rejects = [&](const std::string& bytes, const char* why) {
        err.clear();
        CHECK_FALSE(npy_decode(bytes, &back, &err));
        CAPTURE(err);
        CAPTURE(why);
        CHECK(err.find(why) != std::string::npos);
    };
    rejects("", "bad magic");
    rejects("hello world, not numpy", "bad magic");
    rejects(std::string("\x93NUMPY\x01\x00\xff\x00{", 11), "truncated");
    rejects(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16), "float32");
    rejects(npy_with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8), "float32");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", 32), "3-D");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4), "0-D");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 52), "expected 48 bytes of data, found 52");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 44), "shorter");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999, 999999999), }", 8), "shorter");
    rejects(npy_with_header("{'descr': '<f4', 'shape': (2,), }", 8), "missing");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8), "fortran_order");
    rejects(npy_with_header("[1, 2, 3]", 8), "no dict");
    rejects(std::string("\x93NUMPY\x07\x00\x10\x00", 10), "version");
    // Each key once, nothing after the dict (NumPy's own reader would take the last
    // 'shape'; a file that says two things is refused instead).
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (1,), }", 8), "'shape' appears twice");
    rejects(npy_with_header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8), "'descr' appears twice");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'fortran_order': True, 'shape': (2,), }", 8), "appears twice");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", 8), "text after the dict");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }}", 8), "text after the dict");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 8), "unknown key");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8), "shape");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,), }", 8), "shape");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 24), "shape");
    rejects(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 0), }", 0), "too large");
    rejects(npy_with_header("{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }", 8), "bad .npy header");
    rejects(npy_with_header("{'descr: '<f4', 'fortran_order': False, 'shape': (2,), }", 8), "bad .npy header");
    {   // the first of two keys must not leave a half-read result behind
        Mat keep = sample(2, 2, 1);
        back = keep;
        CHECK_FALSE(npy_decode(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (2,), }", 8), &back, &err));
        CHECK(back == keep);
    }

    // Every truncation and many random corruptions of a good file.
    std::string good = npy_encode(sample(4, 3, 3));
    for (size_t n = 0; n < good.size(); ++n) {
        CHECK_FALSE(npy_decode(good.substr(0, n), &back, &err));
    }
    Rng rng(4);
    for (int trial = 0; trial < 2000; ++trial) {
        std::string t = good;
        for (int e = 0; e < 3; ++e) t[rng.below(uint32_t(t.size()))] = char(rng.below(256));
        if (npy_decode(t, &back, &err)) CHECK(size_t(back.size()) * 4 <= t.size());
    }
}

TEST_CASE("io: save_model / load_model round trip gives identical lookups") {
    const FactSet& fs = builtin_facts();
    Model m = compile_model(fs);
    remove_model_dir(kDir + "/nested");
    std::string err;
    REQUIRE_MESSAGE(save_model(kDir + "/nested", m, &err), err);   // creates both folders
    Model back;
    REQUIRE_MESSAGE(load_model(kDir + "/nested", &back, &err), err);
    CHECK(back.vocab.tokens == m.vocab.tokens);
    CHECK(back.vocab.objects == m.vocab.objects);
    CHECK(back.vocab.relations == m.vocab.relations);
    CHECK(back.vocab.candidates == m.vocab.candidates);
    CHECK(back.neuron_labels == m.neuron_labels);
    CHECK(back.mlp.act == m.mlp.act);
    CHECK(back.tokens == m.tokens);
    CHECK(back.objects == m.objects);
    CHECK(back.mlp.W_up == m.mlp.W_up);
    CHECK(back.mlp.b_up == m.mlp.b_up);
    CHECK(back.mlp.W_down == m.mlp.W_down);
    CHECK(back.mlp.b_down == m.mlp.b_down);
    for (const char* s : {"Michael Jordan", "Michael Phelps", "Alexis Jordan", "Nobody"})
        CHECK(lookup_to_json(m, lookup(m, s)) == lookup_to_json(back, lookup(back, s)));

    // Damage the folder: each problem is caught and *out is left alone.
    Model keep = back;
    auto refuses = [&](const char* why) {
        err.clear();
        CHECK_FALSE(load_model(kDir + "/nested", &back, &err));
        CAPTURE(err);
        CHECK(err.find(why) != std::string::npos);
        CHECK(back.mlp.W_up == keep.mlp.W_up);
    };
    REQUIRE(save_npy(kDir + "/nested/tokens.npy", m.tokens.topRows(5), false, &err));
    refuses("tokens.npy is (5, 256)");
    REQUIRE(save_npy(kDir + "/nested/tokens.npy", m.tokens, false, &err));
    REQUIRE(save_npy(kDir + "/nested/W_down.npy", m.mlp.W_down.leftCols(3), false, &err));
    refuses("W_down.npy is (256, 3)");
    REQUIRE(save_npy(kDir + "/nested/W_down.npy", m.mlp.W_down, false, &err));
    Vec bad = m.mlp.b_up;
    bad[0] = std::nanf("");
    REQUIRE(save_npy(kDir + "/nested/b_up.npy", bad, true, &err));
    refuses("NaN");
    REQUIRE(save_npy(kDir + "/nested/b_up.npy", m.mlp.b_up, true, &err));
    REQUIRE(write_file(kDir + "/nested/vocab.json", "{\"tokens\": [1, 2]", &err));
    refuses("not a JSON object");
    REQUIRE(write_file(kDir + "/nested/vocab.json", "{\"tokens\": 3}", &err));
    refuses("\"tokens\" is not a list");
    REQUIRE(write_file(kDir + "/nested/vocab.json", vocab_to_json(m), &err));
    REQUIRE(load_model(kDir + "/nested", &back, &err));
    std::remove((kDir + "/nested/objects.npy").c_str());
    refuses("objects.npy");
    CHECK_FALSE(load_model("no/such/folder", &back, &err));
    remove_model_dir(kDir + "/nested");
    std::remove(kDir.c_str());
}

TEST_CASE("io: lookup_to_json has the documented shape") {
    const FactSet& fs = builtin_facts();
    Model m = compile_model(fs);
    std::string text = lookup_to_json(m, lookup(m, "Michael Jordan Zzyzx"));
    nlohmann::json j = nlohmann::json::parse(text);
    CHECK(j["subject"] == "Michael Jordan Zzyzx");
    CHECK(j["tokens"] == nlohmann::json({"Michael", "Jordan", "Zzyzx"}));
    CHECK(j["unknown_tokens"] == nlohmann::json({"Zzyzx"}));
    REQUIRE(j["answers"].is_object());
    CHECK(j["answers"].size() == fs.relations.size());
    CHECK(j["answers"]["sport"]["object"] == "basketball");
    const nlohmann::json& sport = j["answers"]["sport"];
    CHECK(sport["probability"].get<double>() > 0.5);
    CHECK(sport["ranking"].size() == fs.candidates[size_t(fs.relation_id("sport"))].size());
    CHECK(sport["ranking"][0]["object"] == "basketball");
    CHECK(sport["ranking"][0]["probability"] == sport["probability"]);
    for (auto it = j.begin(); it != j.end(); ++it)
        CHECK((it.key() == "subject" || it.key() == "tokens" || it.key() == "unknown_tokens" || it.key() == "answers"));

    nlohmann::json top = nlohmann::json::parse(lookup_to_json(m, lookup(m, "Michael Jordan"), 3));
    CHECK(top["answers"]["team"]["ranking"].size() == 3);
    // Invalid UTF-8 in a subject still gives valid JSON.
    nlohmann::json odd = nlohmann::json::parse(lookup_to_json(m, lookup(m, "Mich\xff\xfe" "ael")));
    CHECK(odd["tokens"].size() == 1);
}

TEST_CASE("io: files") {
    std::string err, data;
    CHECK_FALSE(read_file("no/such/file.csv", &data, &err));
    CHECK(err.find("no/such/file.csv") != std::string::npos);
    REQUIRE(write_file(kDir + "_file.bin", std::string(1000, 'x'), &err));
    CHECK_FALSE(read_file(kDir + "_file.bin", &data, &err, 999));
    CHECK(err.find("limit") != std::string::npos);
    REQUIRE(read_file(kDir + "_file.bin", &data, &err, 1000));
    CHECK(data.size() == 1000);
    std::remove((kDir + "_file.bin").c_str());
}
