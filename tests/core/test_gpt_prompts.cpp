// test_gpt_prompts.cpp: the transformer's word tokenizer, vocabulary and prompts, on the
// built-in athletes and on a capitals file (multi-word names, names inside names, a quoted comma).
#include <doctest/doctest.h>
#include <set>
#include <string>
#include "core/facts.hpp"
#include "core/gpt/prompts.hpp"

using namespace factlab;

namespace {

using Words = std::vector<std::string>;

const char* kCapitals =
    "subject,relation,object\n"
    "United States,capital,\"Washington, D.C.\"\n"
    "New York,capital,Albany\n"
    "New York City,state,New York\n"
    "York,country,England\n"
    "France,capital,Paris\n"
    "Bonaire,population_size,\"20,104\"\n";

FactSet capitals() {
    ParseResult r = parse_facts_csv(kCapitals);
    REQUIRE(r.ok);
    return r.facts;
}

const GptPrompt* find(const std::vector<GptPrompt>& ps, const std::string& subject, const std::string& relation,
                      int template_id) {
    for (const GptPrompt& p : ps)
        if (p.subject == subject && p.relation == relation && p.template_id == template_id) return &p;
    return nullptr;
}

Words words_of(const GptVocab& v, const std::vector<int>& ids) {
    Words w;
    for (int i : ids) w.push_back(v.words.at(size_t(i)));
    return w;
}

}  // namespace

TEST_CASE("gpt prompts: words split on whitespace; a trailing , ; : ? ! is its own token") {
    CHECK(gpt_split_words("Washington, D.C.") == Words{"Washington", ",", "D.C."});
    CHECK(gpt_split_words("  Ken  Griffey Jr.\t") == Words{"Ken", "Griffey", "Jr."});
    CHECK(gpt_split_words("20,104 people") == Words{"20,104", "people"});       // inside a word: kept
    CHECK(gpt_split_words("Who? It is!") == Words{"Who", "?", "It", "is", "!"});
    CHECK(gpt_split_words("D.C.?!") == Words{"D.C.", "?", "!"});
    CHECK(gpt_split_words(", ,") == Words{",", ","});
    CHECK(gpt_split_words("").empty());
    CHECK(gpt_split_words(" \n ").empty());
    CHECK(gpt_split_words("Pelé") == Words{"Pelé"});
}

TEST_CASE("gpt prompts: the athletes' vocabulary and prompts") {
    const FactSet& fs = builtin_facts();
    GptVocab v = gpt_make_vocab(fs);
    CHECK(v.end_id == 0);
    CHECK(v.words[0] == kGptEndToken);
    CHECK(v.id("Michael") > 0);
    CHECK(v.id("Bulls") > 0);
    CHECK(v.id("23") > 0);
    CHECK(v.id("plays") > 0);
    CHECK(v.id("nobody") == -1);
    for (size_t i = 0; i < v.words.size(); ++i) CHECK(v.id(v.words[i]) == int(i));

    std::vector<GptPrompt> ps;
    std::string err;
    REQUIRE(gpt_build_prompts(fs, v, &ps, &err));
    CHECK(ps.size() == fs.facts.size() * 4);
    size_t held = 0;
    for (const GptPrompt& p : ps) held += p.held_out;
    CHECK(held == fs.facts.size());                                      // one template of four per relation
    CHECK(ps.size() - held == 1515);                                     // the probe's count (REFERENCE.md)

    const GptPrompt* sport = find(ps, "Michael Jordan", "sport", 0);
    REQUIRE(sport);
    CHECK(sport->text == "Michael Jordan plays the sport of");
    CHECK(words_of(v, sport->tokens) == Words{"Michael", "Jordan", "plays", "the", "sport", "of"});
    CHECK(words_of(v, sport->answer) == Words{"basketball", kGptEndToken});
    CHECK(sport->answer_text == "basketball");
    CHECK(sport->subject_first == 0);
    CHECK(sport->subject_end == 2);
    CHECK_FALSE(sport->held_out);

    const GptPrompt* team = find(ps, "Michael Jordan", "team", 0);
    REQUIRE(team);
    CHECK(team->text == "Michael Jordan played for the");
    CHECK(words_of(v, team->answer) == Words{"Chicago", "Bulls", kGptEndToken});

    const GptPrompt* number = find(ps, "Michael Jordan", "number", 1);
    REQUIRE(number);
    CHECK(number->text == "The jersey number of Michael Jordan is");
    CHECK(number->subject_first == 4);
    CHECK(number->subject_end == 6);
    CHECK(words_of(v, number->answer) == Words{"23", kGptEndToken});

    const GptPrompt* three = find(ps, "Michael B. Jordan", "occupation", 3);
    REQUIRE(three);
    CHECK(three->held_out);
    CHECK(three->subject_end - three->subject_first == 3);
    CHECK(words_of(v, {three->tokens.begin() + three->subject_first, three->tokens.begin() + three->subject_end}) ==
          Words{"Michael", "B.", "Jordan"});

    // Every built-in relation has its own templates; each holds the subject once.
    for (const std::string& r : fs.relations) {
        CHECK(gpt_builtin_relation(r));
        std::vector<GptTemplate> ts = gpt_templates(r);
        REQUIRE(ts.size() == 4);
        int held_here = 0;
        for (const GptTemplate& t : ts) {
            held_here += t.held_out;
            size_t at = t.text.find("{subject}");
            REQUIRE(at != std::string::npos);
            CHECK(t.text.find("{subject}", at + 1) == std::string::npos);
        }
        CHECK(held_here == 1);
    }
}

TEST_CASE("gpt prompts: the training row puts the loss on the answer tokens only") {
    const FactSet& fs = builtin_facts();
    GptVocab v = gpt_make_vocab(fs);
    GptPrompt p;
    std::string err;
    REQUIRE(gpt_make_prompt(v, "Michael Jordan", "team", "Chicago Bulls", 0, &p, &err));
    std::vector<int> in, tg;
    gpt_training_row(p, &in, &tg);
    // input Michael Jordan played for the Chicago Bulls; targets - - - - Chicago Bulls <end>
    CHECK(words_of(v, in) == Words{"Michael", "Jordan", "played", "for", "the", "Chicago", "Bulls"});
    REQUIRE(tg.size() == in.size());
    CHECK(tg == std::vector<int>{-1, -1, -1, -1, v.id("Chicago"), v.id("Bulls"), v.end_id});
    CHECK(gpt_max_row_length({p}) == 7);
}

TEST_CASE("gpt prompts: unknown words get a message naming them") {
    GptVocab v = gpt_make_vocab(builtin_facts());
    std::vector<int> ids{42};
    std::string err;
    CHECK_FALSE(v.encode("Michael Jordon plays the sprot of", &ids, &err));
    CHECK(ids == std::vector<int>{42});                                  // untouched
    CHECK(err.find("\"Jordon\"") != std::string::npos);
    CHECK(err.find("\"sprot\"") != std::string::npos);
    CHECK(err.find("unknown words") != std::string::npos);
    CHECK(v.encode("Michael Jordan plays the sport of", &ids, &err));
    CHECK(ids.size() == 6);
    CHECK(v.decode(ids) == "Michael Jordan plays the sport of");

    GptPrompt p;
    CHECK_FALSE(gpt_make_prompt(v, "Michael Jordan", "sport", "curling", 0, &p, &err));
    CHECK(err.find("\"curling\"") != std::string::npos);
    CHECK_FALSE(gpt_make_prompt(v, "Michael Jordan", "sport", "basketball", 7, &p, &err));
    CHECK(err.find("template 7") != std::string::npos);
}

TEST_CASE("gpt prompts: another domain: capitals, a quoted comma, names inside names, generic templates") {
    FactSet fs = capitals();
    GptVocab v = gpt_make_vocab(fs);
    std::vector<GptPrompt> ps;
    std::string err;
    REQUIRE(gpt_build_prompts(fs, v, &ps, &err));
    CHECK(ps.size() == fs.facts.size() * 4);

    CHECK_FALSE(gpt_builtin_relation("capital"));
    const GptPrompt* dc = find(ps, "United States", "capital", 0);
    REQUIRE(dc);
    CHECK(dc->text == "The capital of United States is");
    CHECK(words_of(v, dc->answer) == Words{"Washington", ",", "D.C.", kGptEndToken});
    CHECK(dc->answer_text == "Washington, D.C.");
    CHECK(v.decode(std::vector<int>(dc->answer.begin(), dc->answer.end() - 1)) == "Washington, D.C.");
    CHECK(dc->subject_first == 3);
    CHECK(dc->subject_end == 5);

    // A generic template with a comma after the subject, and the held-out one with '?'.
    const GptPrompt* asked = find(ps, "New York City", "state", 2);
    REQUIRE(asked);
    CHECK(asked->text == "Asked for the state of New York City, people say");
    CHECK(words_of(v, asked->answer) == Words{"New", "York", kGptEndToken});
    CHECK(asked->subject_first == 5);
    CHECK(asked->subject_end == 8);
    const GptPrompt* what = find(ps, "France", "capital", 3);
    REQUIRE(what);
    CHECK(what->held_out);
    CHECK(what->text == "What is the capital of France? It is");
    CHECK(what->subject_first == 5);
    CHECK(what->subject_end == 6);
    CHECK(v.words[size_t(what->tokens[6])] == "?");

    // A relation name with '_' reads as words; a comma inside a number stays one token.
    const GptPrompt* pop = find(ps, "Bonaire", "population_size", 0);
    REQUIRE(pop);
    CHECK(pop->text == "The population size of Bonaire is");
    CHECK(words_of(v, pop->answer) == Words{"20,104", kGptEndToken});

    // Names inside names: the longest subject found in a prompt wins, then the earliest.
    std::vector<int> ids;
    REQUIRE(v.encode("The state of New York City is", &ids, &err));
    int first = -1, end = -1;
    int s = gpt_find_subject(fs, v, ids, &first, &end);
    REQUIRE(s >= 0);
    CHECK(fs.subjects[size_t(s)] == "New York City");
    CHECK(first == 3);
    CHECK(end == 6);
    REQUIRE(v.encode("The capital of New York is", &ids, &err));
    s = gpt_find_subject(fs, v, ids, &first, &end);
    REQUIRE(s >= 0);
    CHECK(fs.subjects[size_t(s)] == "New York");
    REQUIRE(v.encode("The country of York is", &ids, &err));
    s = gpt_find_subject(fs, v, ids, &first, &end);
    REQUIRE(s >= 0);
    CHECK(fs.subjects[size_t(s)] == "York");
    CHECK(first == 3);
    REQUIRE(v.encode("The capital of Paris is", &ids, &err));
    CHECK(gpt_find_subject(fs, v, ids, &first, &end) == -1);

    // An explicit subject: the last occurrence; absent or unknown -> a message.
    REQUIRE(v.encode("New York has the capital New York", &ids, &err));
    REQUIRE(gpt_locate_subject(v, ids, "New York", &first, &end, &err));
    CHECK(first == 5);
    CHECK(end == 7);
    CHECK_FALSE(gpt_locate_subject(v, ids, "France", &first, &end, &err));
    CHECK(err.find("not in the prompt") != std::string::npos);
    CHECK_FALSE(gpt_locate_subject(v, ids, "Atlantis", &first, &end, &err));
    CHECK(err.find("\"Atlantis\"") != std::string::npos);

    // A vocabulary built for the athletes cannot build the capitals' prompts, and says why.
    GptVocab athletes = gpt_make_vocab(builtin_facts());
    CHECK_FALSE(gpt_build_prompts(fs, athletes, &ps, &err));
    CHECK(err.find("unknown word") != std::string::npos);
}

TEST_CASE("gpt prompts: a vocabulary from its words checks them") {
    GptVocab v;
    std::string err;
    CHECK(gpt_vocab_from_words({"a", kGptEndToken, "b"}, &v, &err));
    CHECK(v.end_id == 1);
    CHECK(v.id("b") == 2);
    GptVocab before = v;
    CHECK_FALSE(gpt_vocab_from_words({"a", "a", kGptEndToken}, &v, &err));
    CHECK(err.find("twice") != std::string::npos);
    CHECK_FALSE(gpt_vocab_from_words({"a", "b"}, &v, &err));
    CHECK(err.find("end token") != std::string::npos);
    CHECK_FALSE(gpt_vocab_from_words({"a b", kGptEndToken}, &v, &err));
    CHECK(err.find("whitespace") != std::string::npos);
    CHECK_FALSE(gpt_vocab_from_words({"", kGptEndToken}, &v, &err));
    CHECK_FALSE(gpt_vocab_from_words({}, &v, &err));
    CHECK(v.words == before.words);                                      // untouched on failure
    CHECK(v.decode({2, 1, 9}) == "b <|endoftext|> <?>");
}
