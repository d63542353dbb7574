// io.hpp: arrays and models in and out, as NumPy .npy and JSON.
//
// A model folder (export-model, train, edit) holds W_up.npy (h, d), b_up.npy (h),
// W_down.npy (d, h), b_down.npy (d), tokens.npy (T, d), objects.npy (O, d), all
// float32, and vocab.json: {"tokens": [{"word", "role"} per row of tokens.npy],
// "subject_E": how E is formed from them (token_role), "objects": [...],
// "relations": [...], "candidates": {relation: [object names]}, "activation":
// "relu"|"gelu", "neuron_labels": [...]}.
#pragma once
#include <string>
#include <Eigen/Core>
#include "core/block/model.hpp"

namespace factlab {

// Little-endian float32 .npy, C order. 1-D when cols == 1 and as_vector is set.
std::string npy_encode(const Eigen::Ref<const Eigen::MatrixXf>& a, bool as_vector = false);
bool npy_decode(const std::string& bytes, Eigen::MatrixXf* out, std::string* err);

bool write_file(const std::string& path, const std::string& bytes, std::string* err);
bool read_file(const std::string& path, std::string* out, std::string* err, size_t max_bytes = 256u << 20);
bool save_npy(const std::string& path, const Eigen::Ref<const Eigen::MatrixXf>& a, bool as_vector, std::string* err);
bool load_npy(const std::string& path, Eigen::MatrixXf* out, std::string* err);

std::string vocab_to_json(const Model& m);
bool save_model(const std::string& dir, const Model& m, std::string* err);   // creates dir
bool load_model(const std::string& dir, Model* out, std::string* err);       // validates shapes

// The CLI's `lookup --json` object; the page's factlab.lookup() returns the same.
std::string lookup_to_json(const Model& m, const LookupResult& r, int top = -1);

}  // namespace factlab
