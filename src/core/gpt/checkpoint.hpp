// checkpoint.hpp: the transformer's model folder, GPT-2's checkpoint layout, in and out.
//
// [SECTION] model        GptModel: weights + vocabulary (+ the facts it learned)
// [SECTION] safetensors  the tensor file alone (encode, decode), for the fuzzer and tests
// [SECTION] folders      config.json + vocab.json + model.safetensors (+ facts.csv)
//
// A folder any GPT-2 implementation can load:
//   config.json        GPT-2's keys: model_type "gpt2", n_layer, n_head, n_embd, n_positions,
//                      n_ctx, vocab_size, n_inner, activation_function "gelu_new",
//                      layer_norm_epsilon, tie_word_embeddings true, bos/eos_token_id
//   vocab.json         {word: id}, every id 0..V-1 once (word-level tokens, prompts.hpp)
//   model.safetensors  u64 little-endian header length N, N bytes of JSON
//                      {name: {"dtype", "shape", "data_offsets": [begin, end)}}, then the
//                      data; float32 (F16 and BF16 read too), row-major, GPT-2's names and
//                      (in, out) layout: transformer.wte.weight (V, d), ...
//   facts.csv          optional: the facts the model was trained on (prompts, near misses)
//
// Every reader here takes files a user may hand over: nothing throws (wasm has no
// exceptions), every size and offset is checked before use, and on any failure the output
// is left untouched and the message names the file and the problem.
#pragma once
#include <cstdint>
#include <string>
#include "core/facts.hpp"
#include "core/gpt/model.hpp"
#include "core/gpt/prompts.hpp"

namespace factlab {

// ---- [SECTION] model --------------------------------------------------------------------
struct GptModel {
    GptWeights weights;               // config inside (weights.config)
    GptVocab vocab;                   // (V) words; vocab.size() == config.vocab_size
    FactSet facts;                    // what it learned; empty when the folder has no facts.csv
    bool has_facts = false;
};

// ---- [SECTION] safetensors --------------------------------------------------------------
enum class GptDtype { f32, f16 };

// IEEE half precision by hand (round to nearest even), for F16 files.
float gpt_half_to_float(uint16_t h);
uint16_t gpt_float_to_half(float f);

// The weights as a safetensors file (tensors in GptWeights::tensors() order, contiguous).
std::string gpt_safetensors_encode(const GptWeights& w, GptDtype dtype = GptDtype::f32);

// Reads a safetensors file into weights shaped by `config` (validated first). Every tensor
// of GptWeights::tensors() must be present with its shape; names with or without the
// "transformer." prefix; lm_head.weight (tied) and GPT-2's attn.bias/attn.masked_bias
// buffers are accepted and ignored; any other tensor is an error (a config that disagrees
// with the file). NaN or infinite weights are an error. *out untouched on failure.
bool gpt_safetensors_decode(const std::string& bytes, const GptConfig& config, GptWeights* out, std::string* error);

// ---- [SECTION] folders ------------------------------------------------------------------
struct GptCheckpointFiles {           // a folder's files as bytes (the page fetches them)
    std::string config_json, vocab_json, safetensors, facts_csv;   // facts_csv may be empty
};

std::string gpt_config_json(const GptConfig& c, int end_id);
std::string gpt_vocab_json(const GptVocab& v);
// config.json's text to a GptConfig (GPT-2's keys; n_inner null means 4 n_embd).
bool gpt_parse_config(const std::string& text, GptConfig* out, std::string* error);
// vocab.json's text ({word: id}) to a vocabulary.
bool gpt_parse_vocab(const std::string& text, GptVocab* out, std::string* error);

bool gpt_checkpoint_to_files(const GptModel& m, GptCheckpointFiles* out, GptDtype dtype = GptDtype::f32);
bool gpt_checkpoint_from_files(const GptCheckpointFiles& f, GptModel* out, std::string* error);

// Writes the folder (created with its parents when missing).
bool gpt_save_checkpoint(const std::string& dir, const GptModel& m, std::string* error,
                         GptDtype dtype = GptDtype::f32);
// Reads and checks a folder; *out untouched on failure.
bool gpt_load_checkpoint(const std::string& dir, GptModel* out, std::string* error);

}  // namespace factlab
