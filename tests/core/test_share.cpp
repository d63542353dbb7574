// test_share.cpp: links, embed snippets and the host-page protocol
// (src/ui/state_links.hpp, src/ui/state_message.hpp, docs/embed.md).
#include <doctest/doctest.h>

#include <string>
#include "ui/common/state.hpp"
#include "ui/common/state_links.hpp"
#include "ui/common/state_message.hpp"

using namespace factlab;

static State embed_state() {
    State s;
    s.set("embed", "1");
    s.set("controls", "0");
    s.set("view", "and-gate");
    s.set("subject", "Michael Jordan");
    return s;
}

TEST_CASE("links leave the page keys out; embeds put them in the query") {
    State s = embed_state();
    CHECK(share_query(s) == "subject=Michael%20Jordan&view=and-gate");
    CHECK(lab_link("https://x.org/lab/", s) == "https://x.org/lab/#subject=Michael%20Jordan&view=and-gate");
    CHECK(embed_url("https://x.org/lab/", s, "and-gate", false) ==
          "https://x.org/lab/?embed=1&view=and-gate&controls=0#subject=Michael%20Jordan");
    CHECK(embed_url("https://x.org/lab/", State(), "lookup", true) == "https://x.org/lab/?embed=1&view=lookup");
}

TEST_CASE("the embed snippet is escaped HTML") {
    State s;
    s.set("subject", "Shaquille \"Shaq\" O'Neal <b>");
    std::string html = embed_snippet("https://x.org/", s, "lookup", true, 400, "factlab: \"look\" & <see>");
    CHECK(html.find("<iframe src=\"https://x.org/?embed=1&amp;view=lookup#subject=") == 0);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK(html.find("title=\"factlab: &quot;look&quot; &amp; &lt;see&gt;\"") != std::string::npos);
    CHECK(html.find("height=\"400\"") != std::string::npos);
    CHECK(html.find("loading=\"lazy\"") != std::string::npos);
}

TEST_CASE("links stay short: sub-delimiters are not percent-encoded, and a link never grows") {
    State s;
    s.set("subject", "Jordan, Michael (b. 1963)!");
    CHECK(share_query(s) == "subject=Jordan,%20Michael%20(b.%201963)!");
    State back;
    REQUIRE(parse_query(share_query(s), &back, nullptr));
    CHECK(back.get("subject") == s.get("subject"));
    std::string q = "a=%2C%21%28%29&b=x,y";
    REQUIRE(parse_query(q, &back, nullptr));
    CHECK(back.to_query().size() <= q.size());
}

TEST_CASE("replace keeps the page keys unless given") {
    State s = embed_state();
    State next;
    next.set("view", "lookup");
    replace_keep_page_keys(&s, next);
    CHECK(s.get("embed") == "1");
    CHECK(s.get("controls") == "0");
    CHECK(s.get("view") == "lookup");
    CHECK_FALSE(s.has("subject"));
    next.set("controls", "1");
    unsigned v = s.version();
    replace_keep_page_keys(&s, next);
    CHECK(s.get("controls") == "1");
    CHECK(s.version() > v);               // the change is seen by the hash mirror
}

TEST_CASE("host messages: set merges, an empty value erases, replace replaces") {
    HostMessage m;
    std::string error;
    REQUIRE(parse_host_message(R"({"type":"factlab:set","state":{"subject":"Michael Phelps","view":"","gate_bias":-1.5,"controls":true},"id":"a"})",
                               &m, &error));
    CHECK(error.empty());
    CHECK(m.id == "\"a\"");
    State s = embed_state();
    apply_host_message(&s, m);
    CHECK(s.get("subject") == "Michael Phelps");
    CHECK_FALSE(s.has("view"));
    CHECK(s.get("gate_bias") == "-1.5");
    CHECK(s.get("controls") == "1");

    REQUIRE(parse_host_message(R"({"type":"factlab:replace","state":"view=lookup&subject=Alexis%20Jordan"})", &m, &error));
    s = embed_state();
    apply_host_message(&s, m);
    CHECK(share_query(s) == "subject=Alexis%20Jordan&view=lookup");
    CHECK(s.get("embed") == "1");

    REQUIRE(parse_host_message(R"({"type":"factlab:tour","step":3,"id":9})", &m, &error));
    CHECK(m.type == HostMessageType::Tour);
    CHECK(m.tour_step == 3);
    CHECK(m.id == "9");
}

TEST_CASE("host messages: rejected with a reason, or ignored when not ours") {
    HostMessage m;
    std::string error;
    CHECK_FALSE(parse_host_message(R"({"type":"factlab:set","state":{"Subject":"x"},"id":4})", &m, &error));
    CHECK(error.find("Subject") != std::string::npos);
    CHECK(m.id == "4");
    CHECK(host_error_reply(error, m.id).find("\"id\":4") != std::string::npos);
    CHECK_FALSE(parse_host_message(R"({"type":"factlab:set","state":{"k":null}})", &m, &error));
    CHECK_FALSE(error.empty());
    CHECK_FALSE(parse_host_message(R"({"type":"factlab:set","state":{"k":"a\u0007"}})", &m, &error));
    CHECK_FALSE(error.empty());
    CHECK_FALSE(parse_host_message(R"({"type":"factlab:tour","step":-1})", &m, &error));
    CHECK_FALSE(error.empty());
    CHECK_FALSE(parse_host_message("{\"type\":\"factlab:set\"" + std::string(20000, ' ') + "}", &m, &error));
    CHECK(error.find("longer") != std::string::npos);
    // Not ours: other scripts' messages, and the types factlab itself sends.
    for (const char* text : {R"({"type":"webpackOk"})", "hello", R"({"type":"factlab:state","state":""})", "[1,2]"}) {
        error = "x";
        CHECK_FALSE(parse_host_message(text, &m, &error));
        CHECK(error.empty());
    }
}

TEST_CASE("replies are JSON with the shareable state") {
    State s = embed_state();
    std::string r = host_state_reply(s, "\"q\"", "and-gate");
    CHECK(r.find("\"type\":\"factlab:state\"") != std::string::npos);
    CHECK(r.find("\"state\":\"subject=Michael%20Jordan&view=and-gate\"") != std::string::npos);
    CHECK(r.find("\"id\":\"q\"") != std::string::npos);
    std::string ready = host_ready_message(s, "and-gate");
    CHECK(ready.find("\"type\":\"factlab:ready\"") != std::string::npos);
    CHECK(ready.find("\"embed\":true") != std::string::npos);
}

// Issue 14: a host page sends facts as CSV text; the message may be as long as
// an 8 MB CSV written as JSON, every other message stays bounded at 16 KB.
TEST_CASE("host messages: factlab:facts carries a CSV, with its own bound") {
    HostMessage m;
    std::string error;
    REQUIRE(parse_host_message(R"({"type":"factlab:facts","csv":"subject,relation,object\nA B,sport,x\n","name":"mine.csv","id":"f1"})",
                               &m, &error));
    CHECK(m.type == HostMessageType::Facts);
    CHECK(m.csv == "subject,relation,object\nA B,sport,x\n");
    CHECK(m.name == "mine.csv");
    CHECK(m.id == "\"f1\"");
    REQUIRE(parse_host_message(R"({"type":"factlab:facts","csv":""})", &m, &error));   // the parser says what is wrong
    CHECK(m.name == "facts from the host page");
    CHECK_FALSE(parse_host_message(R"({"type":"factlab:facts","csv":5,"id":2})", &m, &error));
    CHECK(error.find("csv") != std::string::npos);
    CHECK(m.id == "2");
    CHECK_FALSE(parse_host_message(R"({"type":"factlab:facts","csv":"","name":"a\u0007"})", &m, &error));
    CHECK(error.find("name") != std::string::npos);
    // Long: allowed for facts (the "type" found by the shallow scan), not for the others.
    std::string rows;
    while (rows.size() < 100000) rows += "Some One,sport,basketball\\n";
    std::string big = "{\"id\":7,\"csv\":\"subject,relation,object\\n" + rows + "\",\"type\":\"factlab:facts\"}";
    REQUIRE(parse_host_message(big, &m, &error));
    CHECK(m.csv.size() > 90000);
    std::string big_set = "{\"id\":7,\"state\":\"x=" + std::string(100000, 'a') + "\",\"type\":\"factlab:set\"}";
    CHECK_FALSE(parse_host_message(big_set, &m, &error));
    CHECK(error.find("longer than 16384") != std::string::npos);
    CHECK(m.id == "7");
    HostMessageLimits small;
    small.max_facts_bytes = 50000;
    CHECK_FALSE(parse_host_message(big, &m, &error, small));
    CHECK(error.find("longer") != std::string::npos);
    // The error reply lists the file's lines.
    std::string reply = host_error_reply("bad", "\"f1\"", {{3, "expected 3 fields, found 2"}});
    CHECK(reply.find("\"errors\":[{\"line\":3,\"reason\":\"expected 3 fields, found 2\"}]") != std::string::npos);
    CHECK(reply.find("\"type\":\"factlab:error\"") != std::string::npos);
}
