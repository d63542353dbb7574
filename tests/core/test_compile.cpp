// test_compile.cpp: named directions, compiled storage (the AND gate), lookup.
#include <doctest/doctest.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/block/model.hpp"
#include "core/io.hpp"
#include "core/rng.hpp"

using namespace factlab;

namespace {

FactSet parse_ok(const std::string& csv) {
    ParseResult r = parse_facts_csv(csv);
    for (const ParseIssue& e : r.errors) MESSAGE("line " << e.line << ": " << e.reason);
    REQUIRE(r.ok);
    return r.facts;
}

int neuron_of(const Model& m, const std::string& subject) {
    for (size_t i = 0; i < m.neuron_labels.size(); ++i) if (m.neuron_labels[i] == subject) return int(i);
    return -1;
}

std::string answer(const Model& m, const LookupResult& r, const std::string& relation) {
    for (const RelationAnswer& a : r.answers)
        if (m.vocab.relations[size_t(a.relation)] == relation && !a.ranking.empty())
            return m.vocab.objects[size_t(a.ranking[0].object)];
    return "";
}

double worst_cos(const Mat& V) {
    double w = 0;
    for (Eigen::Index i = 0; i < V.rows(); ++i)
        for (Eigen::Index j = i + 1; j < V.rows(); ++j) w = std::max(w, double(std::fabs(V.row(i).dot(V.row(j)))));
    return w;
}

// Every subject's own neuron gives ≈ 1; returns how many other (subject, neuron)
// pairs fire at all, and reports the highest pre-activation among them.
int check_gates(const Model& m, const FactSet& fs, double* worst = nullptr) {
    int misfires = 0;
    double worst_other = -1e9;
    for (size_t s = 0; s < fs.subjects.size(); ++s) {
        LookupResult r = lookup(m, fs.subjects[s]);
        CHECK(std::fabs(r.trace.pre[Eigen::Index(s)] - 1.0f) < 1e-4);
        for (Eigen::Index n = 0; n < r.trace.pre.size(); ++n) {
            if (size_t(n) == s) continue;
            worst_other = std::max(worst_other, double(r.trace.pre[n]));
            if (r.trace.post[n] > 0) ++misfires;
        }
    }
    MESSAGE("highest pre-activation of any other neuron: " << worst_other << " (the gate's own: 1); "
            << misfires << " (subject, other neuron) pairs fire");
    if (worst) *worst = worst_other;
    return misfires;
}
void check_clean_gates(const Model& m, const FactSet& fs) { CHECK(check_gates(m, fs) == 0); }

}  // namespace

TEST_CASE("compile: random_directions are seeded unit vectors, pushed apart") {
    Mat a = random_directions(450, 256, 7), b = random_directions(450, 256, 7), c = random_directions(450, 256, 8);
    REQUIRE(a.rows() == 450);
    REQUIRE(a.cols() == 256);
    CHECK(a == b);                                              // same seed, same numbers
    CHECK(a != c);
    for (Eigen::Index i = 0; i < a.rows(); ++i) CHECK(std::fabs(a.row(i).norm() - 1.0f) < 1e-5);
    double w = worst_cos(a);
    MESSAGE("worst |cos| of 450 directions in 256-d: " << w << " (random unit vectors: ~0.30)");
    CHECK(w < 0.2);
    // Tiny and degenerate sizes do not crash.
    CHECK(random_directions(0, 16, 1).rows() == 0);
    CHECK(random_directions(5, 0, 1).cols() == 0);
    Mat one = random_directions(3, 1, 1);
    for (Eigen::Index i = 0; i < 3; ++i) CHECK(std::fabs(std::fabs(one(i, 0)) - 1.0f) < 1e-6);
}

TEST_CASE("compile: adding an object does not move any token direction") {
    FactSet a = parse_ok("subject,relation,object\nMichael Jordan,sport,basketball\nMichael Phelps,sport,swimming\n");
    FactSet b = parse_ok("subject,relation,object\nMichael Jordan,sport,basketball\nMichael Phelps,sport,swimming\n"
                         "Michael Jordan,nickname,Air Jordan\n");
    Model ma = make_embedding(a, 64, 3), mb = make_embedding(b, 64, 3);
    CHECK(ma.tokens == mb.tokens);
    CHECK(ma.objects == mb.objects.topRows(2));
}

TEST_CASE("compile: the Michael Jordan AND gate and its near misses (built-in set)") {
    const FactSet& fs = builtin_facts();
    REQUIRE(fs.facts.size() > 0);
    Model m = compile_model(fs);
    CHECK(m.d() == 256);
    CHECK(m.mlp.hidden() == int(fs.subjects.size()));
    CHECK(m.mlp.b_down.isZero());
    const int mj = neuron_of(m, "Michael Jordan");
    const int mbj = neuron_of(m, "Michael B. Jordan");
    REQUIRE(mj >= 0);
    REQUIRE(mbj >= 0);

    LookupResult r = lookup(m, "Michael Jordan");
    CHECK(r.unknown_tokens.empty());
    CHECK(std::fabs(r.trace.pre[mj] - 1.0f) < 1e-4);            // fires: M + J present
    CHECK(r.trace.post[mj] > 0.99f);
    CHECK(answer(m, r, "sport") == "basketball");
    CHECK(answer(m, r, "team") == "Chicago Bulls");
    CHECK(answer(m, r, "number") == "23");

    for (const char* near : {"Michael Phelps", "DeAndre Jordan", "Alexis Jordan", "Michael B. Jordan", "Michael I. Jordan",
                             "Michael", "Jordan", "Jordan Michael B."}) {
        CAPTURE(near);
        LookupResult n = lookup(m, near);
        CHECK(n.trace.pre[mj] < -0.5f);                         // the gate stays shut
        CHECK(n.trace.post[mj] == 0.0f);
    }
    // Without the bias the same row would fire for the near misses: the AND needs it.
    for (const char* near : {"Michael Phelps", "Alexis Jordan"}) {
        LookupResult n = lookup(m, near);
        CHECK(n.trace.pre[mj] - m.mlp.b_up[mj] > 0.5f);
    }
    LookupResult b = lookup(m, "Michael B. Jordan");
    CHECK(std::fabs(b.trace.pre[mbj] - 1.0f) < 1e-4);           // its own neuron fires, not MJ's
    CHECK(answer(m, b, "occupation") == "actor");
    CHECK(answer(m, lookup(m, "Michael Phelps"), "sport") == "swimming");
    CHECK(answer(m, lookup(m, "Alexis Jordan"), "occupation") == "singer");
    CHECK(answer(m, lookup(m, "DeAndre Jordan"), "sport") == "basketball");

    // Ablating the neuron removes the fact.
    std::vector<unsigned char> ablate(static_cast<size_t>(m.mlp.hidden()), 0);
    ablate[size_t(mj)] = 1;
    LookupResult gone = lookup(m, "Michael Jordan", &ablate);
    CHECK(gone.trace.post[mj] == 0.0f);
    CHECK(gone.answers[0].ranking[0].probability < 0.5f);
}

TEST_CASE("compile: 100% of the built-in facts, every gate clean (ReLU), GELU too") {
    const FactSet& fs = builtin_facts();
    Model m = compile_model(fs);
    EvalResult ev = evaluate(m, fs);
    for (int f : ev.wrong) MESSAGE("wrong: " << fs.facts[size_t(f)].subject << " " << fs.facts[size_t(f)].relation);
    CHECK(ev.facts == int(fs.facts.size()));
    CHECK(ev.correct == ev.facts);
    check_clean_gates(m, fs);

    CompileOptions gelu;
    gelu.act = Activation::GELU;
    EvalResult eg = evaluate(compile_model(fs, gelu), fs);
    MESSAGE("GELU, d = 256: " << eg.correct << "/" << eg.facts);
    CHECK(eg.correct == eg.facts);

    // evaluate() (batched) agrees with lookup() (one subject at a time).
    int agree = 0, total = 0;
    for (size_t f = 0; f < fs.facts.size(); f += 7, ++total) {
        LookupResult r = lookup(m, fs.facts[f].subject);
        agree += answer(m, r, fs.facts[f].relation) == fs.facts[f].object;
    }
    CHECK(agree == total);
}

TEST_CASE("compile: a synthetic domain where 300 names share tokens heavily") {
    // 2-3 token names from a pool of 40 tokens: many names contain others.
    Rng rng(2024);
    std::vector<std::string> pool;
    const char* syl[] = {"ka", "lo", "mi", "ren", "to", "sa", "vi", "du"};
    for (int i = 0; i < 40; ++i) pool.push_back(std::string(syl[i % 8]) + syl[(i / 8 + i) % 8] + std::to_string(i));
    std::set<std::multiset<std::string>> seen;
    std::string csv = "subject,relation,object\n";
    int subjects = 0, supersets = 0;
    while (subjects < 300) {
        int k = 2 + int(rng.below(2));
        std::vector<std::string> toks;
        std::multiset<std::string> key;
        for (int j = 0; j < k; ++j) {
            std::string t = pool[rng.below(40)];
            if (key.count(t)) break;                            // no repeated tokens here
            toks.push_back(t);
            key.insert(t);
        }
        if (int(toks.size()) != k || !seen.insert(key).second) continue;
        std::string name = toks[0];
        for (int j = 1; j < k; ++j) name += " " + toks[j];
        csv += name + ",sport,sport" + std::to_string(rng.below(8)) + "\n";
        if (rng.below(10) < 6) {
            csv += name + ",team,team" + std::to_string(rng.below(40)) + "\n";
            csv += name + ",number," + std::to_string(1 + rng.below(99)) + "\n";
        }
        ++subjects;
    }
    FactSet fs = parse_ok(csv);
    Model m = compile_model(fs);
    // Containment as the gates see it: every word of the shorter name in the same role.
    const std::vector<std::vector<int>> rows = subject_rows(m, fs);
    std::vector<std::set<int>> keys;
    for (const auto& r : rows) keys.emplace_back(r.begin(), r.end());
    for (const auto& a : keys)
        for (const auto& b : keys)
            if (a.size() < b.size() && std::includes(b.begin(), b.end(), a.begin(), a.end())) ++supersets;
    MESSAGE("synthetic: 300 names, " << supersets << " (name, longer name containing it in its roles) pairs");
    CHECK(supersets >= 10);
    EvalResult ev = evaluate(m, fs);
    CHECK(ev.correct == ev.facts);
    // Crowded names: a near miss sits at −1 ± g·√k/√d, so a few leak a little,
    // far below the subject's own 1 (300 × 299 pairs checked).
    double worst = 0;
    int misfires = check_gates(m, fs, &worst);
    CHECK(misfires < 30);
    CHECK(worst < 0.5);
    // At d = 1024 the noise halves and the gates are clean.
    CompileOptions wide;
    wide.d = 1024;
    Model mw = compile_model(fs, wide);
    CHECK(evaluate(mw, fs).correct == ev.facts);
    check_clean_gates(mw, fs);
}

TEST_CASE("compile: capitals, where names contain names (New York / York, Papua New Guinea / Guinea)") {
    FactSet fs = parse_ok(
        "subject,relation,object\n"
        "York,country,England\n"
        "New York,country,United States\nNew York,kind,city\n"
        "New York State,country,United States\nNew York State,kind,state\n"
        "Mexico,capital,Mexico City\nMexico,kind,country\n"
        "New Mexico,capital,Santa Fe\nNew Mexico,kind,state\n"
        "Guinea,capital,Conakry\nGuinea,kind,country\n"
        "Equatorial Guinea,capital,Malabo\n"
        "Papua New Guinea,capital,Port Moresby\n"
        "Guinea-Bissau,capital,Bissau\n"
        "Georgia,capital,Tbilisi\n"
        "Jersey,capital,Saint Helier\n"
        "New Jersey,capital,Trenton\n"
        "Virginia,capital,Richmond\n"
        "West Virginia,capital,Charleston\n"
        "Sudan,capital,Khartoum\n"
        "South Sudan,capital,Juba\n"
        "North Dakota,capital,Bismarck\n"
        "South Dakota,capital,Pierre\n"
        "Washington,capital,Olympia\n"
        "Washington D.C.,kind,city\n");
    Model m = compile_model(fs);
    EvalResult ev = evaluate(m, fs);
    CHECK(ev.correct == ev.facts);
    check_clean_gates(m, fs);
    const int york = neuron_of(m, "York"), guinea = neuron_of(m, "Guinea");
    CHECK(lookup(m, "New York").trace.post[york] == 0.0f);      // "York" is vetoed by "New"
    CHECK(lookup(m, "Papua New Guinea").trace.post[guinea] == 0.0f);
    CHECK(lookup(m, "York").trace.post[york] > 0.99f);
    CHECK(answer(m, lookup(m, "New Mexico"), "capital") == "Santa Fe");
    CHECK(answer(m, lookup(m, "Mexico"), "capital") == "Mexico City");
}

TEST_CASE("compile: single-token names, repeated tokens, identical token sets") {
    ParseResult pr = parse_facts_csv(
        "subject,relation,object\n"
        "Pelé,sport,soccer\n"
        "Ken,job,baker\n"
        "Ken Ken,job,drummer\n"
        "Ken Ken Ken,job,poet\n"
        "Ken Griffey,job,outfielder\n"
        "Griffey Ken Ken,job,umpire\n"
        "Jordan Michael,job,plumber\n"
        "Michael Jordan,sport,basketball\n");
    REQUIRE(pr.ok);
    // "Jordan Michael" and "Michael Jordan" have different E (roles), so no warning.
    CHECK(pr.warnings.empty());
    Model m = compile_model(pr.facts);
    for (const char* s : {"Pelé", "Ken", "Ken Ken", "Ken Ken Ken", "Ken Griffey", "Griffey Ken Ken", "Jordan Michael",
                          "Michael Jordan"}) {
        CAPTURE(s);
        const int n = neuron_of(m, s);
        LookupResult r = lookup(m, s);
        CHECK(std::fabs(r.trace.pre[n] - 1.0f) < 1e-4);
    }
    CHECK(answer(m, lookup(m, "Ken"), "job") == "baker");
    CHECK(answer(m, lookup(m, "Ken Ken"), "job") == "drummer");       // Ken's neuron fires too; cancelled
    CHECK(answer(m, lookup(m, "Ken Ken Ken"), "job") == "poet");
    CHECK(answer(m, lookup(m, "Ken Griffey"), "job") == "outfielder");
    CHECK(answer(m, lookup(m, "Griffey Ken Ken"), "job") == "umpire");
    CHECK(answer(m, lookup(m, "Pelé"), "sport") == "soccer");
    CHECK(lookup(m, "Ken Griffey").trace.post[neuron_of(m, "Ken")] == 0.0f);   // vetoed by Griffey
    CHECK(answer(m, lookup(m, "Michael Jordan"), "sport") == "basketball");
    CHECK(answer(m, lookup(m, "Jordan Michael"), "job") == "plumber");     // each its own neuron
    CHECK(lookup(m, "Jordan Michael").trace.post[neuron_of(m, "Michael Jordan")] == 0.0f);
    CHECK(lookup(m, "Michael Jordan").trace.post[neuron_of(m, "Jordan Michael")] == 0.0f);
    check_clean_gates(m, pr.facts);
}

TEST_CASE("compile: odd inputs never crash a lookup") {
    const FactSet& fs = builtin_facts();
    Model m = compile_model(fs);
    std::string huge;
    Rng rng(5);
    for (int i = 0; i < 200000; ++i) huge += char('a' + rng.below(26)) + std::string(rng.below(6) == 0 ? " " : "");
    std::string bytes;
    for (int i = 0; i < 4096; ++i) bytes += char(rng.below(256));
    const std::string cases[] = {"", " ", "\t\n  \r", "Michael\xff Jordan", std::string("Mich\0ael", 8), "\xc3\x28",
                                 "\xed\xa0\x80", huge, bytes, "Michael Michael Jordan Jordan Jordan", "Jordan Michael"};
    for (const std::string& s : cases) {
        LookupResult r = lookup(m, s);
        CHECK(r.answers.size() == fs.relations.size());
        for (const RelationAnswer& a : r.answers) {
            double sum = 0;
            for (const RankedObject& o : a.ranking) sum += o.probability;
            CHECK(std::fabs(sum - 1.0) < 1e-4);
        }
        CHECK(r.trace.out.size() == m.d());
    }
    LookupResult empty = lookup(m, "   ");
    CHECK(empty.tokens.empty());
    CHECK(empty.trace.post.maxCoeff() == 0.0f);                  // nothing fires for nothing
    LookupResult unk = lookup(m, "Michael Zzyzx");
    REQUIRE(unk.unknown_tokens.size() == 1);
    CHECK(unk.unknown_tokens[0] == "Zzyzx");
    CHECK(unk.tokens.size() == 2);
    CHECK(unk.subject == "Michael Zzyzx");
    CHECK(lookup(m, "  Michael   Jordan ").subject == "Michael Jordan");
}

TEST_CASE("compile: deterministic, and the time per lookup") {
    const FactSet& fs = builtin_facts();
    Model a = compile_model(fs), b = compile_model(fs);
    CHECK(a.tokens == b.tokens);
    CHECK(a.mlp.W_up == b.mlp.W_up);
    CHECK(a.mlp.b_up == b.mlp.b_up);
    CHECK(a.mlp.W_down == b.mlp.W_down);
    LookupResult r1 = lookup(a, "Michael Jordan"), r2 = lookup(a, "Michael Jordan");
    CHECK(r1.trace.out == r2.trace.out);
    for (size_t k = 0; k < r1.answers.size(); ++k)
        for (size_t j = 0; j < r1.answers[k].ranking.size(); ++j) {
            CHECK(r1.answers[k].ranking[j].object == r2.answers[k].ranking[j].object);
            CHECK(r1.answers[k].ranking[j].probability == r2.answers[k].ranking[j].probability);
        }

    const int n = 2000;
    size_t sink = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) sink += lookup(a, fs.subjects[size_t(i) % fs.subjects.size()]).answers.size();
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
    auto t1 = std::chrono::steady_clock::now();
    Model c = compile_model(fs);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    MESSAGE("lookup: " << us << " us per call (hidden " << a.mlp.hidden() << ", d " << a.d() << "); compile: " << ms
                       << " ms");
    CHECK(sink == size_t(n) * fs.relations.size());
    CHECK(c.mlp.hidden() == a.mlp.hidden());
}

// ---- role-bound directions: "first name Michael" + "last name Jordan" ------

namespace {

float cosine(const Vec& a, const Vec& b) { return a.dot(b) / (a.norm() * b.norm()); }

FactSet facts_file(const char* name) {
    std::string text, err;
    REQUIRE_MESSAGE(read_file(std::string(FACTLAB_SOURCE_DIR) + "/tests/data/" + name, &text, &err), err);
    return parse_ok(text);
}

}  // namespace

TEST_CASE("roles: a word's role is its place in the subject") {
    CHECK(token_role(0, 1) == "only");
    CHECK(token_role(0, 2) == "first");
    CHECK(token_role(1, 2) == "last");
    CHECK(token_role(1, 3) == "middle");
    CHECK(token_role(2, 3) == "last");
    CHECK(token_role(1, 4) == "middle");
    CHECK(token_role(2, 4) == "middle2");
    CHECK(token_role(3, 4) == "last");
    CHECK(token_role(4, 6) == "middle4");
    CHECK(role_label("first") == "first name");
    CHECK(role_label("middle2") == "2nd middle name");
    CHECK(role_label("only") == "one-word name");

    FactSet fs = parse_ok("subject,relation,object\nMichael Jordan,sport,basketball\nJordan Spieth,sport,golf\n"
                          "Pelé,sport,soccer\n");
    Model m = make_embedding(fs, 64, 1);
    REQUIRE(m.vocab.tokens.size() == 5);                        // Michael, Jordan (last), Jordan (first), Spieth, Pelé
    REQUIRE(m.vocab.roles.size() == 5);
    CHECK(m.tokens.rows() == 5);
    const int mf = token_row(m, "Michael", "first"), jl = token_row(m, "Jordan", "last");
    const int jf = token_row(m, "Jordan", "first"), pele = token_row(m, "Pelé", "only");
    CHECK(mf == 0);
    CHECK(jl == 1);
    CHECK(jf == 2);
    CHECK(pele == 4);
    CHECK(token_row(m, "Michael", "last") == -1);
    CHECK(token_label(m, jl) == "last name Jordan");
    CHECK(token_label(m, jf) == "first name Jordan");
    CHECK(token_label(m, pele) == "one-word name Pelé");
    std::vector<int> rows;
    std::vector<std::string> unknown;
    Vec E = embed_tokens(m, {"Jordan", "Michael"}, &unknown, &rows);
    CHECK(rows == std::vector<int>{jf, -1});
    CHECK(unknown == std::vector<std::string>{"Michael"});
    CHECK(E == Vec(m.tokens.row(jf).transpose()));
}

TEST_CASE("roles: \"Jordan Michael\" is not Michael Jordan, and the first-name Jordans leave his neighbourhood") {
    const FactSet& fs = builtin_facts();
    Model m = compile_model(fs);
    const int mj = neuron_of(m, "Michael Jordan");
    REQUIRE(mj >= 0);

    // The swapped name: "Michael" is never a last name, so E is "first name Jordan" alone;
    // no neuron fires and every answer is a near-uniform guess.
    LookupResult r = lookup(m, "Jordan Michael");
    CHECK(r.roles == std::vector<std::string>{"first", "last"});
    CHECK(r.unknown_tokens == std::vector<std::string>{"Michael"});
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0] == token_row(m, "Jordan", "first"));
    CHECK(r.rows[1] == -1);
    CHECK(r.trace.post.maxCoeff() == 0.0f);
    CHECK(r.trace.pre[mj] < -2.0f);                              // not even near: no direction of his in E
    for (const RelationAnswer& a : r.answers) {
        CAPTURE(m.vocab.relations[size_t(a.relation)]);
        REQUIRE(!a.ranking.empty());
        CHECK(a.ranking[0].probability < 2.0f / float(a.ranking.size()));   // at most twice uniform
    }

    // Two directions for one word: the first-name Jordan and the last-name Jordan.
    const int jf = token_row(m, "Jordan", "first"), jl = token_row(m, "Jordan", "last");
    REQUIRE(jf >= 0);
    REQUIRE(jl >= 0);
    CHECK(std::fabs(m.tokens.row(jf).dot(m.tokens.row(jl))) < 0.2f);

    // cos(E): Jordan Spieth shares no direction with Michael Jordan; Alexis Jordan
    // (last name) and Michael Phelps (first name) share one of two: cos ≈ 1/2.
    const Vec E_mj = lookup(m, "Michael Jordan").trace.E;
    const float c_spieth = cosine(E_mj, lookup(m, "Jordan Spieth").trace.E);
    const float c_alexis = cosine(E_mj, lookup(m, "Alexis Jordan").trace.E);
    const float c_phelps = cosine(E_mj, lookup(m, "Michael Phelps").trace.E);
    const float c_swapped = cosine(E_mj, r.trace.E);
    MESSAGE("cos(E): Michael Jordan vs Jordan Spieth " << c_spieth << ", vs Alexis Jordan " << c_alexis
            << ", vs Michael Phelps " << c_phelps << ", vs \"Jordan Michael\" " << c_swapped);
    CHECK(std::fabs(c_spieth) < 0.2f);
    CHECK(std::fabs(c_swapped) < 0.2f);
    CHECK(std::fabs(c_alexis - 0.5f) < 0.15f);
    CHECK(std::fabs(c_phelps - 0.5f) < 0.15f);

    // On Michael Jordan's neuron: a first-name Jordan lands near 1 − 2·2 = −3, a
    // last-name Jordan at the AND's −1 (one of two names present).
    for (const char* s : {"Jordan Spieth", "Jordan Peele", "Jordan Clarkson"}) {
        CAPTURE(s);
        CHECK(lookup(m, s).trace.pre[mj] < -2.0f);
    }
    for (const char* s : {"Alexis Jordan", "DeAndre Jordan", "Michael Phelps"}) {
        CAPTURE(s);
        const float pre = lookup(m, s).trace.pre[mj];
        CHECK(pre > -1.5f);
        CHECK(pre < -0.5f);
    }
    // The supersets are still vetoed: both names in their roles, plus a middle name.
    const int mb = token_row(m, "B.", "middle"), mi = token_row(m, "I.", "middle");
    REQUIRE(mb >= 0);
    REQUIRE(mi >= 0);
    CHECK(m.mlp.W_up.row(mj).dot(m.tokens.row(mb)) < -1.5f);
    CHECK(m.mlp.W_up.row(mj).dot(m.tokens.row(mi)) < -1.5f);
    CHECK(lookup(m, "Michael B. Jordan").trace.post[mj] == 0.0f);
    CHECK(lookup(m, "Michael I. Jordan").trace.post[mj] == 0.0f);
}

TEST_CASE("roles: the capitals file (names inside names, one-word countries)") {
    FactSet fs = facts_file("capitals.csv");
    Model m = compile_model(fs);
    EvalResult ev = evaluate(m, fs);
    for (int f : ev.wrong) MESSAGE("wrong: " << fs.facts[size_t(f)].subject << " " << fs.facts[size_t(f)].relation);
    CHECK(ev.correct == ev.facts);
    check_clean_gates(m, fs);
    CHECK(answer(m, lookup(m, "New York"), "kind") == "state");
    CHECK(answer(m, lookup(m, "New York City"), "kind") == "city");
    CHECK(answer(m, lookup(m, "Jordan"), "capital") == "Amman");
    CHECK(answer(m, lookup(m, "Mexico"), "capital") == "Mexico City");
    // "York" of New York City is a middle word: New York (last York) does not sit inside it,
    // so New York's row needs no veto on "City" and meets New York City at the AND's −1
    // (one of its two directions, "first name New"); York (one word) sits inside neither.
    const int ny = neuron_of(m, "New York");
    const int city = token_row(m, "City", "last");
    REQUIRE(city >= 0);
    CHECK(std::fabs(m.mlp.W_up.row(ny).dot(m.tokens.row(city))) < 0.3f);
    CHECK(lookup(m, "New York City").trace.pre[ny] < -0.5f);
    CHECK(lookup(m, "New York City").trace.post[ny] == 0.0f);
    CHECK(lookup(m, "New York").trace.post[neuron_of(m, "York")] == 0.0f);
    // "and" in the middle of three names is one direction, shared; each gate still holds.
    const int and1 = token_row(m, "and", "middle"), and2 = token_row(m, "and", "middle2");
    CHECK(and1 >= 0);
    CHECK(and2 >= 0);
    CHECK(and1 != and2);
    CHECK(answer(m, lookup(m, "Trinidad and Tobago"), "capital") == "Port of Spain");
    CHECK(answer(m, lookup(m, "Saint Kitts and Nevis"), "capital") == "Basseterre");
    // GELU and a trained model on the same file.
    CompileOptions gelu;
    gelu.act = Activation::GELU;
    CHECK(evaluate(compile_model(fs, gelu), fs).correct == ev.facts);
}

TEST_CASE("roles: nested person names (Jr., middle initials, four words)") {
    FactSet fs = facts_file("nested_names.csv");
    Model m = compile_model(fs);
    EvalResult ev = evaluate(m, fs);
    CHECK(ev.correct == ev.facts);
    check_clean_gates(m, fs);
    // Ken Griffey ⊂ Ken Griffey Jr.? No: Griffey is the last name of one, a middle name of the other.
    const int kg = neuron_of(m, "Ken Griffey");
    CHECK(lookup(m, "Ken Griffey Jr.").trace.pre[kg] < -0.5f);
    CHECK(answer(m, lookup(m, "Ken Griffey"), "team") == "Cincinnati Reds");
    CHECK(answer(m, lookup(m, "Ken Griffey Jr."), "team") == "Seattle Mariners");
    // George W. Bush (middle W.) and George H. W. Bush (middle H., 2nd middle W.) are apart.
    CHECK(token_row(m, "W.", "middle") != token_row(m, "W.", "middle2"));
    CHECK(answer(m, lookup(m, "George W. Bush"), "president number") == "43");
    CHECK(answer(m, lookup(m, "George H. W. Bush"), "president number") == "41");
    // Michael B. Jordan does contain Michael Jordan (first and last): its middle name vetoes.
    const int mj = neuron_of(m, "Michael Jordan");
    CHECK(m.mlp.W_up.row(mj).dot(m.tokens.row(token_row(m, "B.", "middle"))) < -1.5f);
    CHECK(answer(m, lookup(m, "Michael I. Jordan"), "known for") == "machine learning");
    CHECK(answer(m, lookup(m, "Pope John Paul II"), "known for") == "papacy");
    CHECK(answer(m, lookup(m, "John Paul Jones"), "known for") == "music");
}
