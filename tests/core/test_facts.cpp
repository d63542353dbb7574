// test_facts.cpp: the facts CSV parser on good and malformed files, the writer, the built-in set.
#include <doctest/doctest.h>
#include <string>
#include "core/facts.hpp"
#include "core/rng.hpp"

using namespace factlab;

namespace {

const char* kHeader = "subject,relation,object\n";

// Parses `body` after the header and expects exactly one error on `line`, mentioning `what`.
void expect_error(const std::string& text, int line, const std::string& what, const ParseLimits& lim = {}) {
    ParseResult r = parse_facts_csv(text, lim);
    CAPTURE(text.substr(0, 120));
    CHECK_FALSE(r.ok);
    CHECK(r.facts.facts.empty());
    REQUIRE(!r.errors.empty());
    CHECK(r.errors[0].line == line);
    CAPTURE(r.errors[0].reason);
    CHECK(r.errors[0].reason.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("facts: split_tokens splits on runs of spaces and trims") {
    CHECK(split_tokens("Michael Jordan") == std::vector<std::string>{"Michael", "Jordan"});
    CHECK(split_tokens("  Michael   B.  Jordan ") == std::vector<std::string>{"Michael", "B.", "Jordan"});
    CHECK(split_tokens("\tPelé\n") == std::vector<std::string>{"Pelé"});
    CHECK(split_tokens("").empty());
    CHECK(split_tokens("   ").empty());
}

TEST_CASE("facts: a good file, ids in first-appearance order") {
    ParseResult r = parse_facts_csv(
        "subject,relation,object\n"
        "Michael Jordan,sport,basketball\n"
        "Michael Jordan,team,Chicago Bulls\n"
        "Michael Phelps,sport,swimming\n"
        "Alexis Jordan,occupation,singer\n");
    REQUIRE(r.ok);
    CHECK(r.errors.empty());
    CHECK(r.warnings.empty());
    const FactSet& fs = r.facts;
    CHECK(fs.facts.size() == 4);
    CHECK(fs.subjects == std::vector<std::string>{"Michael Jordan", "Michael Phelps", "Alexis Jordan"});
    CHECK(fs.tokens == std::vector<std::string>{"Michael", "Jordan", "Phelps", "Alexis"});
    CHECK(fs.subject_tokens[2] == std::vector<int>{3, 1});
    CHECK(fs.relations == std::vector<std::string>{"sport", "team", "occupation"});
    CHECK(fs.objects == std::vector<std::string>{"basketball", "Chicago Bulls", "swimming", "singer"});
    CHECK(fs.candidates[0] == std::vector<int>{0, 2});
    CHECK(fs.subject_id("Michael Phelps") == 1);
    CHECK(fs.subject_id(" Michael   Phelps ") == 1);
    CHECK(fs.subject_id("Nobody") == -1);
    CHECK(fs.token_id("Alexis") == 3);
    CHECK(fs.object_id("singer") == 3);
    CHECK(fs.relation_id("team") == 1);
    CHECK(fs.object_of(0, 1) == 1);
    CHECK(fs.object_of(1, 1) == -1);
}

TEST_CASE("facts: BOM, CRLF, quotes, blank lines, no final newline, spaces") {
    ParseResult r = parse_facts_csv(
        "\xEF\xBB\xBFsubject,relation,object\r\n"
        "\r\n"
        "\"Jordan, Michael\",sport,basketball\r\n"
        "   \r\n"
        "Dwayne \"\"The Rock\"\" Johnson,occupation,actor\r\n");  // a quote in an unquoted field: an error
    CHECK_FALSE(r.ok);
    REQUIRE(!r.errors.empty());
    CHECK(r.errors[0].line == 5);

    r = parse_facts_csv(
        "\xEF\xBB\xBF\"subject\",relation,object\r\n"
        "\r\n"
        "\"Michael Jordan\",\"team\",\"Chicago Bulls\"\r\n"
        "\"Dwayne \"\"The Rock\"\" Johnson\",occupation,actor\r\n"
        "  Michael   Phelps , sport ,\" swimming\"\r\n"
        "Kimi R\xC3\xA4ikk\xC3\xB6nen,sport,motor racing\r"
        "Bam Adebayo,team,\"Miami Heat, Florida\"");
    for (const ParseIssue& e : r.errors) MESSAGE(e.line << ": " << e.reason);
    REQUIRE(r.ok);
    const FactSet& fs = r.facts;
    REQUIRE(fs.facts.size() == 5);
    CHECK(fs.facts[0].subject == "Michael Jordan");
    CHECK(fs.facts[1].subject == "Dwayne \"The Rock\" Johnson");
    CHECK(fs.subject_tokens[1].size() == 4);
    CHECK(fs.facts[2].subject == "Michael Phelps");              // spaces collapsed and trimmed
    CHECK(fs.facts[2].relation == "sport");
    CHECK(fs.facts[2].object == "swimming");
    CHECK(fs.facts[3].subject == "Kimi R\xC3\xA4ikk\xC3\xB6nen");  // lone CR ends a line too
    CHECK(fs.facts[4].object == "Miami Heat, Florida");
}

TEST_CASE("facts: malformed files name the line and the reason") {
    const std::string h = kHeader;
    expect_error("", 0, "empty file");
    expect_error("\n\n  \n", 0, "empty file");
    expect_error(h, 0, "no facts");
    expect_error("Subject,Relation,Object\nA B,c,d\n", 1, "expected the header 'subject,relation,object'");
    expect_error("Michael Jordan,sport,basketball\n", 1, "found 'Michael Jordan,sport,basketball'");
    expect_error("subject,relation\n", 1, "expected the header");
    expect_error(h + "A B,sport,x\nA C,sport\n", 3, "expected 3 fields, found 2");
    expect_error(h + "A B,sport,x,y\n", 2, "expected 3 fields, found 4");
    expect_error(h + "A B,sport,x\n\n\n\n\n\nOnly One\n", 8, "expected 3 fields, found 1");
    expect_error(h + "\"A B,sport,x\n", 2, "line break inside the quoted subject");
    expect_error(h + "A B,sport,\"x", 2, "unterminated quoted object");
    expect_error(h + "A B,sp\"ort,x\n", 2, "a quote inside the unquoted relation");
    expect_error(h + "\"A B\"x,sport,x\n", 2, "text after the closing quote");
    expect_error(h + " ,sport,x\n", 2, "empty subject");
    expect_error(h + "A B,,x\n", 2, "empty relation");
    expect_error(h + "A B,sport,\"  \"\n", 2, "empty object");
    expect_error(h + "A B C D E,sport,x\n", 2, "has 5 tokens; at most 4");
    expect_error(h + "A B,sport," + std::string(201, 'x') + "\n", 2, "longer than 200 bytes");
    expect_error(h + std::string("A\0B,sport,x\n", 12), 2, "NUL byte in the subject");
    expect_error(h + "A\tB,sport,x\n", 2, "control character 0x09");
    expect_error(h + "A B,sport,x\x7F\n", 2, "control character 0x7F");
    expect_error(h + "A \xFF,sport,x\n", 2, "invalid UTF-8 in the subject");
    expect_error(h + "A B,sport,\xC0\xAF\n", 2, "invalid UTF-8");       // overlong '/'
    expect_error(h + "A B,sport,\xED\xA0\x80\n", 2, "invalid UTF-8");   // a surrogate
    expect_error(h + "A B,sport,\xE2\x82\n", 2, "invalid UTF-8");       // truncated
    expect_error(h + "A B,sport,\xF4\x90\x80\x80\n", 2, "invalid UTF-8");  // above U+10FFFF
    expect_error(h + "Michael Jordan,team,Chicago Bulls\nX Y,sport,z\nMichael Jordan,team,Washington Wizards\n", 4,
                 "already has team 'Chicago Bulls' (line 2)");

    ParseLimits lim;
    lim.max_rows = 2;
    expect_error(h + "A B,s,x\nA C,s,x\nA D,s,x\n", 4, "more than 2 rows", lim);
    lim = {};
    lim.max_subjects = 2;
    expect_error(h + "A B,s,x\nA C,s,x\nA D,s,x\n", 4, "more than 2 subjects", lim);
    lim = {};
    lim.max_objects = 1;
    expect_error(h + "A B,s,x\nA C,s,y\n", 3, "more than 1 objects", lim);
    lim = {};
    lim.max_bytes = 30;
    expect_error(h + "A B,s,x\n", 0, "the limit is 30", lim);
    lim = {};
    lim.max_tokens = 2;
    expect_error(h + "A B C,s,x\n", 2, "at most 2", lim);
    lim = {};
    lim.max_field = 3;
    expect_error(h + "A B,s,xyzw\n", 2, "longer than 3 bytes", lim);
}

TEST_CASE("facts: several errors are all reported (up to 50); nothing is returned") {
    std::string text = kHeader;
    for (int i = 0; i < 80; ++i) text += "bad line " + std::to_string(i) + "\n";
    ParseResult r = parse_facts_csv(text);
    CHECK_FALSE(r.ok);
    CHECK(r.errors.size() == 50);
    CHECK(r.errors[0].line == 2);
    CHECK(r.errors[49].line == 51);
    CHECK(r.facts.facts.empty());
    CHECK(r.facts.subjects.empty());
}

TEST_CASE("facts: exact duplicates are a warning and kept once") {
    ParseResult r = parse_facts_csv(std::string(kHeader) + "A B,sport,x\nA C,sport,y\nA B,sport,x\n");
    REQUIRE(r.ok);
    CHECK(r.facts.facts.size() == 2);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].line == 4);
    CHECK(r.warnings[0].reason.find("duplicate of line 2") != std::string::npos);
}

TEST_CASE("facts: facts_to_csv round-trips") {
    ParseResult r = parse_facts_csv(std::string(kHeader) +
                                    "\"Jordan, Michael\",sport,basketball\n"
                                    "\"Dwayne \"\"The Rock\"\" Johnson\",occupation,actor\n"
                                    "Pelé,sport,soccer\n");
    REQUIRE(r.ok);
    std::string csv = facts_to_csv(r.facts);
    ParseResult back = parse_facts_csv(csv);
    REQUIRE(back.ok);
    REQUIRE(back.facts.facts.size() == r.facts.facts.size());
    for (size_t k = 0; k < r.facts.facts.size(); ++k) {
        CHECK(back.facts.facts[k].subject == r.facts.facts[k].subject);
        CHECK(back.facts.facts[k].relation == r.facts.facts[k].relation);
        CHECK(back.facts.facts[k].object == r.facts.facts[k].object);
    }
    CHECK(facts_to_csv(back.facts) == csv);

    const FactSet& fs = builtin_facts();
    ParseResult again = parse_facts_csv(facts_to_csv(fs));
    REQUIRE(again.ok);
    CHECK(again.facts.facts.size() == fs.facts.size());
    CHECK(again.facts.subjects == fs.subjects);
}

TEST_CASE("facts: the built-in set parses cleanly and has the near misses") {
    ParseResult r = parse_facts_csv(builtin_facts_csv());
    for (const ParseIssue& e : r.errors) MESSAGE("line " << e.line << ": " << e.reason);
    for (const ParseIssue& w : r.warnings) MESSAGE("warning line " << w.line << ": " << w.reason);
    REQUIRE(r.ok);
    CHECK(r.warnings.empty());
    const FactSet& fs = builtin_facts();
    MESSAGE("built-in: " << fs.facts.size() << " facts, " << fs.subjects.size() << " subjects, " << fs.tokens.size()
                         << " tokens, " << fs.objects.size() << " objects");
    CHECK(fs.facts.size() == r.facts.facts.size());
    for (const char* s : {"Michael Jordan", "Michael Phelps", "DeAndre Jordan", "Alexis Jordan", "Michael B. Jordan"})
        CHECK_MESSAGE(fs.subject_id(s) >= 0, s);
    int mj = fs.subject_id("Michael Jordan");
    CHECK(fs.objects[size_t(fs.object_of(mj, fs.relation_id("sport")))] == "basketball");
    CHECK(fs.objects[size_t(fs.object_of(mj, fs.relation_id("number")))] == "23");
}

TEST_CASE("facts: random damage never crashes the parser") {
    // A light, deterministic stand-in for the libFuzzer run: mutate the built-in
    // file and random bytes; the parser must return, and ok == false means no facts.
    std::string base(builtin_facts_csv().substr(0, 3000));
    Rng rng(99);
    const char specials[] = {'"', ',', '\n', '\r', '\0', ' ', '\xEF', '\xBB', '\xBF', '\xC3', '\xFF'};
    for (int trial = 0; trial < 1500; ++trial) {
        std::string t = base;
        int edits = 1 + int(rng.below(8));
        for (int e = 0; e < edits && !t.empty(); ++e) {
            size_t at = rng.below(uint32_t(t.size()));
            switch (rng.below(4)) {
                case 0: t[at] = specials[rng.below(sizeof specials)]; break;
                case 1: t.erase(at, 1 + rng.below(20)); break;
                case 2: t.insert(at, 1, specials[rng.below(sizeof specials)]); break;
                default: t = t.substr(0, at); break;
            }
        }
        if (trial % 5 == 0) { t.clear(); for (int i = 0; i < 200; ++i) t += char(rng.below(256)); }
        ParseResult r = parse_facts_csv(t);
        if (!r.ok) { CHECK(r.facts.facts.empty()); CHECK(!r.errors.empty()); }
        else CHECK(r.errors.empty());
        CHECK(r.errors.size() <= 50);
    }
}
