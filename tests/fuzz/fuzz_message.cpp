// fuzz_message.cpp: libFuzzer target for the host-page postMessage protocol
// (src/ui/state_message.hpp, docs/embed.md).
//
// Properties checked on every input, beyond "no crash, no sanitizer report":
//   - an accepted message carries only valid state keys and values, a tour step
//     in range and an id that is valid JSON (string of bounded size, or integer);
//   - a rejected factlab message gets an error reply that is valid JSON of type
//     factlab:error and echoes the id; a silently ignored one is not ours (it
//     does not mention "factlab:" as a request type);
//   - applying a message keeps the state valid; replace keeps the page keys
//     (embed, controls) unless the message sets them; set is idempotent;
//   - the state reply is valid JSON whose "state" parses back to the state
//     without its page keys.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <nlohmann/json.hpp>
#include "ui/common/state.hpp"
#include "ui/common/state_links.hpp"
#include "ui/common/state_message.hpp"

using namespace factlab;
using nlohmann::json;

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "fuzz_message: property failed: %s\n  ", #cond);        \
            std::fprintf(stderr, __VA_ARGS__);                                           \
            std::fprintf(stderr, "\n");                                                  \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

static void check_state(const State& s) {
    for (const auto& [k, v] : s.items()) {
        FUZZ_CHECK(valid_state_key(k), "invalid key kept: '%s'", k.c_str());
        FUZZ_CHECK(!v.empty() && valid_state_value(v), "invalid value kept for '%s'", k.c_str());
    }
}

static json parse_reply(const std::string& text, const char* what) {
    json j = json::parse(text, nullptr, false);
    FUZZ_CHECK(!j.is_discarded() && j.is_object(), "%s is not a JSON object: %s", what, text.c_str());
    return j;
}

static void check_id(const json& reply, const std::string& id) {
    if (id.empty()) {
        FUZZ_CHECK(reply.find("id") == reply.end(), "reply has an id the message did not give");
        return;
    }
    json want = json::parse(id, nullptr, false);
    FUZZ_CHECK(!want.is_discarded(), "HostMessage::id is not JSON: %s", id.c_str());
    FUZZ_CHECK(reply.find("id") != reply.end() && reply["id"] == want, "reply does not echo the id %s", id.c_str());
}

static State base_state() {
    State s;
    s.set("embed", "1");
    s.set("controls", "0");
    s.set("view", "lookup");
    s.set("subject", "Michael Jordan");
    s.set("d", "256");
    return s;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    HostMessageLimits L;
    HostMessage m;
    std::string error = "stale";
    bool ok = parse_host_message(text, &m, &error, L);

    if (!ok) {
        if (error.empty()) {
            // Ignored silently: must not be a factlab request we should have answered.
            json j = json::parse(text, nullptr, false);
            if (!j.is_discarded() && j.is_object() && text.size() <= L.max_bytes) {
                auto t = j.find("type");
                bool request = t != j.end() && t->is_string() &&
                               t->get_ref<const std::string&>().rfind("factlab:", 0) == 0 &&
                               *t != "factlab:state" && *t != "factlab:ready" && *t != "factlab:error";
                // A deep message is refused before it is parsed; only if it mentions factlab is it answered.
                FUZZ_CHECK(!request, "a factlab request was ignored without an error: %.*s", int(std::min<size_t>(size, 200)), text.data());
            }
            return 0;
        }
        FUZZ_CHECK(error != "stale", "the error was not reset");
        json r = parse_reply(host_error_reply(error, m.id), "error reply");
        FUZZ_CHECK(r["type"] == "factlab:error", "error reply type");
        FUZZ_CHECK(r["error"].is_string() && !r["error"].get_ref<const std::string&>().empty(), "error reply text");
        check_id(r, m.id);
        return 0;
    }

    FUZZ_CHECK(error.empty(), "accepted message with an error: %s", error.c_str());
    check_state(m.patch);
    for (const std::string& k : m.erase) FUZZ_CHECK(valid_state_key(k), "invalid erase key");
    if (m.type == HostMessageType::Tour)
        FUZZ_CHECK(m.tour_step >= 0 && m.tour_step <= L.max_tour_step, "tour step %d", m.tour_step);
    if (m.type == HostMessageType::Facts) {
        // The CSV goes to the facts parser (fuzzed by fuzz_facts); its name is shown on screen.
        FUZZ_CHECK(m.csv.size() <= size, "factlab:facts csv longer than the message");
        FUZZ_CHECK(!m.name.empty() && m.name.size() <= L.max_name && valid_state_value(m.name), "bad facts name kept");
        json e = parse_reply(host_error_reply("x", m.id, {{3, m.name}}), "facts error reply");
        FUZZ_CHECK(e["errors"].is_array() && e["errors"].size() == 1 && e["errors"][0]["line"] == 3, "facts error lines");
    }
    if (!m.id.empty()) {
        json id = json::parse(m.id, nullptr, false);
        FUZZ_CHECK(!id.is_discarded() && (id.is_number_integer() || id.is_number_unsigned() ||
                                          (id.is_string() && id.get_ref<const std::string&>().size() <= L.max_id)),
                   "bad id kept: %s", m.id.c_str());
    }

    State s = base_state();
    apply_host_message(&s, m);
    check_state(s);
    if (m.type == HostMessageType::Set) {
        for (const auto& [k, v] : m.patch.items()) FUZZ_CHECK(s.get(k) == v, "set did not write '%s'", k.c_str());
        State twice = s;
        apply_host_message(&twice, m);
        FUZZ_CHECK(twice.items() == s.items(), "set is not idempotent");
    } else if (m.type == HostMessageType::Replace) {
        for (const char* k : {"embed", "controls"})
            FUZZ_CHECK(s.get(k) == (m.patch.has(k) ? m.patch.get(k) : base_state().get(k)), "replace lost page key %s", k);
        for (const auto& [k, v] : m.patch.items()) FUZZ_CHECK(s.get(k) == v, "replace did not write '%s'", k.c_str());
        for (const auto& [k, v] : s.items())
            FUZZ_CHECK(m.patch.has(k) || is_page_key(k), "replace kept the old key '%s'", k.c_str());
    } else {
        FUZZ_CHECK(s.items() == base_state().items(), "get/tour changed the state");
    }

    json r = parse_reply(host_state_reply(s, m.id), "state reply");
    FUZZ_CHECK(r["type"] == "factlab:state" && r["state"].is_string(), "state reply shape");
    check_id(r, m.id);
    State back;
    FUZZ_CHECK(parse_query(r["state"].get_ref<const std::string&>(), &back, nullptr), "state reply text refused");
    State want;
    for (const auto& [k, v] : s.items()) if (!is_page_key(k)) want.set(k, v);
    FUZZ_CHECK(back.items() == want.items(), "state reply does not parse back to the state");
    parse_reply(host_ready_message(s), "ready message");
    return 0;
}
