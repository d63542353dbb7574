// io.cpp: NumPy .npy arrays, model folders and lookup JSON (see io.hpp).
//
// Everything here reads files a user may hand us, so nothing throws (the wasm
// build has no exceptions): JSON is parsed with allow_exceptions = false and
// dumped with invalid UTF-8 replaced, and every shape is checked before use.
// Files go through standard C++ only (<cstdio>, std::filesystem with error_code
// overloads, which never throw), no POSIX calls, so the core builds anywhere.
#include "core/io.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unordered_map>
#include <nlohmann/json.hpp>

namespace factlab {

using ordered_json = nlohmann::ordered_json;

namespace {

const char kMagic[] = "\x93NUMPY";

std::string dump(const ordered_json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// [SECTION] a tiny reader for the Python dict literal in a .npy header
struct DictReader {
    const std::string& s;
    size_t i = 0;
    void ws() { while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i; }
    bool eat(char c) { ws(); if (i < s.size() && s[i] == c) { ++i; return true; } return false; }
    bool str(std::string* out) {
        ws();
        if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return false;
        char q = s[i++];
        size_t start = i;
        while (i < s.size() && s[i] != q) ++i;
        if (i >= s.size()) return false;
        *out = s.substr(start, i - start);
        ++i;
        return true;
    }
    bool word(const char* w) {
        ws();
        size_t n = std::strlen(w);
        if (s.compare(i, n, w) != 0) return false;
        i += n;
        return true;
    }
    bool integer(int64_t* out) {
        ws();
        size_t start = i;
        int64_t v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (v > (int64_t(1) << 40)) return false;                       // absurd; also stops overflow
            v = v * 10 + (s[i++] - '0');
        }
        if (i == start) return false;
        if (i < s.size() && s[i] == 'L') ++i;                              // Python 2 wrote 3L
        *out = v;
        return true;
    }
};

bool set_err(std::string* err, const std::string& msg) { if (err) *err = msg; return false; }

uint32_t read_u32le(const unsigned char* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

// [SECTION] .npy ------------------------------------------------------------

std::string npy_encode(const Eigen::Ref<const Eigen::MatrixXf>& a, bool as_vector) {
    const Eigen::Index rows = a.rows(), cols = a.cols();
    std::string shape = (as_vector && cols == 1) ? "(" + std::to_string(rows) + ",)"
                                                 : "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    // Pad with spaces and end with '\n' so the data starts on a 64-byte boundary.
    size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::string out(kMagic, 6);
    out += char(1);
    out += char(0);
    out += char(header.size() & 0xFF);
    out += char((header.size() >> 8) & 0xFF);
    out += header;
    size_t base = out.size();
    out.resize(base + size_t(rows) * size_t(cols) * 4);
    unsigned char* p = reinterpret_cast<unsigned char*>(&out[base]);
    for (Eigen::Index r = 0; r < rows; ++r)                                // C order: row by row
        for (Eigen::Index c = 0; c < cols; ++c) {
            float f = a(r, c);
            uint32_t u;
            std::memcpy(&u, &f, 4);
            *p++ = u & 0xFF; *p++ = (u >> 8) & 0xFF; *p++ = (u >> 16) & 0xFF; *p++ = (u >> 24) & 0xFF;
        }
    return out;
}

bool npy_decode(const std::string& bytes, Eigen::MatrixXf* out, std::string* err) {
    const unsigned char* b = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() < 10 || std::memcmp(b, kMagic, 6) != 0) return set_err(err, "not a .npy file (bad magic)");
    size_t hlen, offset;
    if (b[6] == 1) { hlen = size_t(b[8]) | size_t(b[9]) << 8; offset = 10; }
    else if (b[6] == 2 || b[6] == 3) {
        if (bytes.size() < 12) return set_err(err, "truncated .npy header");
        hlen = read_u32le(b + 8);
        offset = 12;
    } else return set_err(err, "unsupported .npy version " + std::to_string(int(b[6])));
    if (hlen > bytes.size() - offset) return set_err(err, "truncated .npy header");
    std::string header = bytes.substr(offset, hlen);

    // The header is a Python dict literal with exactly the keys descr, fortran_order and
    // shape, each once, then only the spaces and newline that pad it.
    std::string descr;
    bool fortran = false, have_descr = false, have_order = false, have_shape = false;
    std::vector<int64_t> shape;
    DictReader rd{header};
    if (!rd.eat('{')) return set_err(err, "bad .npy header (no dict)");
    while (!rd.eat('}')) {
        std::string key;
        if (!rd.str(&key) || !rd.eat(':')) return set_err(err, "bad .npy header");
        const bool again = (key == "descr" && have_descr) || (key == "fortran_order" && have_order) ||
                           (key == "shape" && have_shape);
        if (again) return set_err(err, "bad .npy header (key '" + key + "' appears twice)");
        if (key == "descr") {
            if (!rd.str(&descr)) return set_err(err, "bad .npy header (descr)");
            have_descr = true;
        } else if (key == "fortran_order") {
            if (rd.word("True")) fortran = true;
            else if (rd.word("False")) fortran = false;
            else return set_err(err, "bad .npy header (fortran_order)");
            have_order = true;
        } else if (key == "shape") {
            if (!rd.eat('(')) return set_err(err, "bad .npy header (shape)");
            while (!rd.eat(')')) {
                int64_t v;
                if (!rd.integer(&v) || shape.size() >= 8) return set_err(err, "bad .npy header (shape)");
                shape.push_back(v);
                if (!rd.eat(',')) { if (!rd.eat(')')) return set_err(err, "bad .npy header (shape)"); break; }
            }
            have_shape = true;
        } else return set_err(err, "bad .npy header (unknown key '" + key.substr(0, 20) + "')");
        if (!rd.eat(',')) { if (!rd.eat('}')) return set_err(err, "bad .npy header"); break; }
    }
    for (size_t k = rd.i; k < header.size(); ++k)
        if (header[k] != ' ' && header[k] != '\n' && header[k] != '\r' && header[k] != '\t' && header[k] != '\0')
            return set_err(err, "bad .npy header (text after the dict)");
    if (!have_descr || !have_order || !have_shape) return set_err(err, "bad .npy header (missing descr, fortran_order or shape)");
    if (descr != "<f4") return set_err(err, "dtype '" + descr.substr(0, 20) + "' is not little-endian float32 ('<f4')");
    if (shape.empty() || shape.size() > 2) return set_err(err, "expected a 1-D or 2-D array, found " + std::to_string(shape.size()) + "-D");
    int64_t rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
    size_t data = bytes.size() - offset - hlen;
    // Each dimension is below 2^40 (DictReader), so compare without overflow.
    if (cols != 0 && uint64_t(rows) > uint64_t(data / 4) / uint64_t(cols))
        return set_err(err, "the data is shorter than the shape says");
    if (uint64_t(rows) * uint64_t(cols) * 4 != data)
        return set_err(err, "expected " + std::to_string(uint64_t(rows) * uint64_t(cols) * 4) + " bytes of data, found " +
                                std::to_string(data));
    if (rows > INT32_MAX || cols > INT32_MAX)                               // Eigen's index is 32-bit in wasm
        return set_err(err, "the shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ") is too large");
    Eigen::MatrixXf m(rows, cols);
    const unsigned char* p = b + offset + hlen;
    for (int64_t k = 0; k < rows * cols; ++k, p += 4) {
        uint32_t u = read_u32le(p);
        float f;
        std::memcpy(&f, &u, 4);
        if (fortran) m(k % rows, k / rows) = f;                         // column by column
        else m(k / cols, k % cols) = f;                                 // row by row
    }
    *out = std::move(m);
    return true;
}

// [SECTION] files -----------------------------------------------------------

bool write_file(const std::string& path, const std::string& bytes, std::string* err) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return set_err(err, path + ": cannot write (" + std::strerror(errno) + ")");
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    return ok ? true : set_err(err, path + ": write failed");
}

bool read_file(const std::string& path, std::string* out, std::string* err, size_t max_bytes) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return set_err(err, path + ": cannot open (" + std::strerror(errno) + ")");
    std::string data;
    char buf[1 << 16];
    bool ok = true;
    for (;;) {
        size_t n = std::fread(buf, 1, sizeof buf, f);
        if (data.size() + n > max_bytes) { ok = set_err(err, path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes"); break; }
        data.append(buf, n);
        if (n < sizeof buf) {
            if (std::ferror(f)) ok = set_err(err, path + ": read failed (is it a folder?)");
            break;
        }
    }
    std::fclose(f);
    if (ok) *out = std::move(data);
    return ok;
}

bool save_npy(const std::string& path, const Eigen::Ref<const Eigen::MatrixXf>& a, bool as_vector, std::string* err) {
    return write_file(path, npy_encode(a, as_vector), err);
}

bool load_npy(const std::string& path, Eigen::MatrixXf* out, std::string* err) {
    std::string bytes;
    if (!read_file(path, &bytes, err)) return false;
    std::string e;
    if (!npy_decode(bytes, out, &e)) return set_err(err, path + ": " + e);
    return true;
}

// [SECTION] model folders ---------------------------------------------------

namespace {

bool make_dirs(const std::string& dir, std::string* err) {
    if (dir.empty()) return set_err(err, "empty folder name");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return set_err(err, dir + ": cannot create folder (" + ec.message() + ")");
    if (!std::filesystem::is_directory(dir, ec)) return set_err(err, dir + ": not a folder");
    return true;
}

std::string join_path(const std::string& dir, const char* name) {
    return (!dir.empty() && dir.back() == '/') ? dir + name : dir + "/" + name;
}

bool string_array(const ordered_json& j, const char* key, std::vector<std::string>* out, std::string* err, bool optional = false) {
    auto it = j.find(key);
    if (it == j.end()) return optional ? true : set_err(err, std::string("vocab.json: missing \"") + key + "\"");
    if (!it->is_array()) return set_err(err, std::string("vocab.json: \"") + key + "\" is not a list");
    out->clear();
    for (const ordered_json& v : *it) {
        if (!v.is_string()) return set_err(err, std::string("vocab.json: \"") + key + "\" holds a non-string");
        out->push_back(v.get<std::string>());
    }
    return true;
}

bool all_finite(const Eigen::MatrixXf& a) {
    for (Eigen::Index k = 0; k < a.size(); ++k) if (!std::isfinite(a.data()[k])) return false;
    return true;
}

}  // namespace

std::string vocab_to_json(const Model& m) {
    ordered_json j;
    j["tokens"] = m.vocab.tokens;
    j["objects"] = m.vocab.objects;
    j["relations"] = m.vocab.relations;
    ordered_json cand = ordered_json::object();
    for (size_t r = 0; r < m.vocab.relations.size(); ++r) {
        ordered_json names = ordered_json::array();
        if (r < m.vocab.candidates.size())
            for (int o : m.vocab.candidates[r])
                if (o >= 0 && size_t(o) < m.vocab.objects.size()) names.push_back(m.vocab.objects[size_t(o)]);
        cand[m.vocab.relations[r]] = names;
    }
    j["candidates"] = cand;
    j["activation"] = activation_name(m.mlp.act);
    j["neuron_labels"] = m.neuron_labels;
    return dump(j, 1);
}

bool save_model(const std::string& dir, const Model& m, std::string* err) {
    if (!make_dirs(dir, err)) return false;
    return save_npy(join_path(dir, "W_up.npy"), m.mlp.W_up, false, err) &&
           save_npy(join_path(dir, "b_up.npy"), m.mlp.b_up, true, err) &&
           save_npy(join_path(dir, "W_down.npy"), m.mlp.W_down, false, err) &&
           save_npy(join_path(dir, "b_down.npy"), m.mlp.b_down, true, err) &&
           save_npy(join_path(dir, "tokens.npy"), m.tokens, false, err) &&
           save_npy(join_path(dir, "objects.npy"), m.objects, false, err) &&
           write_file(join_path(dir, "vocab.json"), vocab_to_json(m) + "\n", err);
}

bool load_model(const std::string& dir, Model* out, std::string* err) {
    Model m;
    std::string text;
    if (!read_file(join_path(dir, "vocab.json"), &text, err, 64u << 20)) return false;
    ordered_json j = ordered_json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return set_err(err, join_path(dir, "vocab.json") + ": not a JSON object");
    if (!string_array(j, "tokens", &m.vocab.tokens, err) || !string_array(j, "objects", &m.vocab.objects, err) ||
        !string_array(j, "relations", &m.vocab.relations, err) ||
        !string_array(j, "neuron_labels", &m.neuron_labels, err, true))
        return false;

    std::unordered_map<std::string, int> object_id;
    for (size_t k = 0; k < m.vocab.objects.size(); ++k)
        if (!object_id.emplace(m.vocab.objects[k], int(k)).second)
            return set_err(err, "vocab.json: object \"" + m.vocab.objects[k] + "\" is listed twice");
    auto cand = j.find("candidates");
    if (cand == j.end() || !cand->is_object()) return set_err(err, "vocab.json: \"candidates\" must be an object");
    for (const std::string& rel : m.vocab.relations) {
        auto c = cand->find(rel);
        if (c == cand->end() || !c->is_array()) return set_err(err, "vocab.json: no candidate list for relation \"" + rel + "\"");
        std::vector<int> ids;
        for (const ordered_json& v : *c) {
            auto it = v.is_string() ? object_id.find(v.get<std::string>()) : object_id.end();
            if (it == object_id.end()) return set_err(err, "vocab.json: a candidate of \"" + rel + "\" is not in \"objects\"");
            ids.push_back(it->second);
        }
        m.vocab.candidates.push_back(std::move(ids));
    }
    auto act = j.find("activation");
    if (act == j.end() || !act->is_string() || !activation_from_name(act->get<std::string>().c_str(), &m.mlp.act))
        return set_err(err, "vocab.json: \"activation\" must be \"relu\" or \"gelu\"");

    Eigen::MatrixXf W_up, b_up, W_down, b_down, tokens, objects;
    const char* names[] = {"W_up.npy", "b_up.npy", "W_down.npy", "b_down.npy", "tokens.npy", "objects.npy"};
    Eigen::MatrixXf* arrays[] = {&W_up, &b_up, &W_down, &b_down, &tokens, &objects};
    for (int k = 0; k < 6; ++k) {
        if (!load_npy(join_path(dir, names[k]), arrays[k], err)) return false;
        if (!all_finite(*arrays[k])) return set_err(err, join_path(dir, names[k]) + ": holds NaN or infinity");
    }
    auto shape = [](const Eigen::MatrixXf& a) { return "(" + std::to_string(a.rows()) + ", " + std::to_string(a.cols()) + ")"; };
    const Eigen::Index T = Eigen::Index(m.vocab.tokens.size()), O = Eigen::Index(m.vocab.objects.size());
    const Eigen::Index d = tokens.cols(), h = W_up.rows();
    std::string why;
    if (d < 1) why = "tokens.npy has no columns";
    else if (tokens.rows() != T) why = "tokens.npy is " + shape(tokens) + " but vocab.json names " + std::to_string(T) + " tokens";
    else if (objects.rows() != O || objects.cols() != d) why = "objects.npy is " + shape(objects) + ", expected (" + std::to_string(O) + ", " + std::to_string(d) + ")";
    else if (W_up.cols() != d) why = "W_up.npy is " + shape(W_up) + ", expected (hidden, " + std::to_string(d) + ")";
    else if (b_up.rows() != h || b_up.cols() != 1) why = "b_up.npy is " + shape(b_up) + ", expected (" + std::to_string(h) + ",)";
    else if (W_down.rows() != d || W_down.cols() != h) why = "W_down.npy is " + shape(W_down) + ", expected (" + std::to_string(d) + ", " + std::to_string(h) + ")";
    else if (b_down.rows() != d || b_down.cols() != 1) why = "b_down.npy is " + shape(b_down) + ", expected (" + std::to_string(d) + ",)";
    else if (!m.neuron_labels.empty() && Eigen::Index(m.neuron_labels.size()) != h)
        why = "vocab.json names " + std::to_string(m.neuron_labels.size()) + " neurons but W_up has " + std::to_string(h);
    if (!why.empty()) return set_err(err, dir + ": " + why);

    m.tokens = std::move(tokens);
    m.objects = std::move(objects);
    m.mlp.W_up = std::move(W_up);
    m.mlp.b_up = b_up.col(0);
    m.mlp.W_down = std::move(W_down);
    m.mlp.b_down = b_down.col(0);
    *out = std::move(m);
    return true;
}

// [SECTION] lookup JSON -----------------------------------------------------

std::string lookup_to_json(const Model& m, const LookupResult& r, int top) {
    ordered_json j;
    j["subject"] = r.subject;
    j["tokens"] = r.tokens;
    j["unknown_tokens"] = r.unknown_tokens;
    ordered_json answers = ordered_json::object();
    auto object_name = [&](int o) {
        return o >= 0 && size_t(o) < m.vocab.objects.size() ? m.vocab.objects[size_t(o)] : std::string("?");
    };
    for (const RelationAnswer& a : r.answers) {
        if (a.relation < 0 || size_t(a.relation) >= m.vocab.relations.size()) continue;
        ordered_json ans;
        ordered_json ranking = ordered_json::array();
        for (size_t k = 0; k < a.ranking.size() && (top < 0 || k < size_t(top)); ++k)
            ranking.push_back({{"object", object_name(a.ranking[k].object)}, {"probability", double(a.ranking[k].probability)}});
        if (a.ranking.empty()) { ans["object"] = nullptr; ans["probability"] = 0.0; }
        else { ans["object"] = object_name(a.ranking[0].object); ans["probability"] = double(a.ranking[0].probability); }
        ans["ranking"] = ranking;
        answers[m.vocab.relations[size_t(a.relation)]] = ans;
    }
    j["answers"] = answers;
    return dump(j, -1);
}

}  // namespace factlab
