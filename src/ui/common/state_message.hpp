// state_message.hpp: the postMessage protocol between a host page and an
// embedded factlab (docs/embed.md), parsed and validated here.
//
// Host -> factlab (JSON object, or its JSON text):
//   {"type": "factlab:set",     "state": {...} | "k=v&...", "id": ...}   merge into the state
//   {"type": "factlab:replace", "state": {...} | "k=v&...", "id": ...}   replace the state
//   {"type": "factlab:tour",    "step": N, "id": ...}                    tour step N (0 closes)
//   {"type": "factlab:get",     "id": ...}                               ask for the state
//   {"type": "factlab:facts",   "csv": "subject,relation,object\n...", "name": ..., "id": ...}
//                                                     load facts, as a dropped file (same checks)
// factlab -> host: {"type": "factlab:state", "state": "k=v&...", "view": ..., "id": ...},
//                  {"type": "factlab:error", "error": "...", "errors": [{"line", "reason"}], "id": ...},
//                  and "factlab:ready".
//
// Pure C++ (no ImGui, no GL): compiled into factlab_state, unit-tested and
// fuzzed. Every input is treated as hostile: bounded size, bounded nesting,
// only strings, finite numbers and booleans as values, keys and values checked
// with the same rules as a link (state.hpp).
#pragma once
#include <string>
#include <string_view>
#include <vector>
#include "ui/common/state.hpp"

namespace factlab {

enum class HostMessageType { Set, Replace, Tour, Get, Facts };

struct HostMessage {
    HostMessageType type = HostMessageType::Get;
    State patch;                        // set/replace: the keys to write (valid keys and values)
    std::vector<std::string> erase;     // set: keys given as "" (erase them); replace: empty
    int tour_step = 0;                  // tour: 0 closes the tour, 1.. is a step
    std::string csv, name;              // facts: the CSV text and a name for messages
    std::string id;                     // the request id as JSON text ("" when absent), echoed back
};

struct HostMessageLimits {
    size_t max_bytes = 16 * 1024;       // the whole message text
    size_t max_facts_bytes = 2 * (8u << 20) + 65536;   // a factlab:facts message (an 8 MB CSV as JSON)
    size_t max_name = 120;              // bytes of a facts message's name
    int max_depth = 3;                  // {"state": {"k": "v"}} is depth 2
    size_t max_id = 64;                 // bytes of a string id
    int max_tour_step = 99;
};

// Parses one message. Returns true and fills *out for a valid factlab message.
// Returns false with *error set for a rejected one (answer it with
// host_error_reply), and false with *error empty for a message that is not
// addressed to factlab (no "type" starting with "factlab:", or one of the
// types factlab itself sends): ignore those silently.
bool parse_host_message(std::string_view json, HostMessage* out, std::string* error,
                        const HostMessageLimits& limits = {});

// Applies a parsed set/replace to *s. Replace keeps the page keys (embed,
// controls) unless the message gives them: a host cannot knock an embed out
// of embed mode by accident. Tour and get leave *s alone.
void apply_host_message(State* s, const HostMessage& m);

// Reply texts (JSON). `id` is HostMessage::id ("" for none); `view` is the view
// shown (the app's default when the state names none; "" means state "view").
std::string host_state_reply(const State& s, const std::string& id, const std::string& view = "");
std::string host_error_reply(const std::string& error, const std::string& id);
// A facts file's errors, each with its line (1-based; 0 for the whole file).
struct HostErrorLine { int line; std::string reason; };
std::string host_error_reply(const std::string& error, const std::string& id, const std::vector<HostErrorLine>& lines);
std::string host_ready_message(const State& s, const std::string& view = "");   // {"type":"factlab:ready",...}

}  // namespace factlab
