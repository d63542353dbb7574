// test_edit.cpp: rank-one fact edits (edit.hpp) on compiled and learned models.
#include <doctest/doctest.h>

#include <string>
#include <Eigen/SVD>
#include "core/block/edit.hpp"
#include "core/rng.hpp"
#include "core/block/train.hpp"

using namespace factlab;

namespace {

const FactChange* find_change(const std::vector<FactChange>& v, const std::string& subject, const std::string& relation) {
    for (const FactChange& c : v)
        if (c.subject == subject && c.relation == relation) return &c;
    return nullptr;
}

EditRequest mj_baseball(EditMethod method) {
    EditRequest r;
    r.subject = "Michael Jordan";
    r.relation = "sport";
    r.object = "baseball";
    r.method = method;
    return r;
}

// The answer the model gives for one subject and relation.
std::string answer(const Model& m, const std::string& subject, const std::string& relation) {
    const LookupResult r = lookup(m, subject);
    for (size_t k = 0; k < m.vocab.relations.size(); ++k)
        if (m.vocab.relations[k] == relation) return m.vocab.objects[size_t(r.answers[k].ranking[0].object)];
    return "";
}

const Model& learned_builtin() {
    static Model m = [] {
        TrainConfig c;
        c.d = 256;
        c.hidden = 128;
        c.steps = 300;
        c.stop_at_accuracy = 2.0;                         // train on past 100%: real margins
        Trainer t;
        std::string err;
        REQUIRE(train_model(c, builtin_facts(), &t, &err));
        REQUIRE(t.accuracy() == 1.0);
        return t.model();
    }();
    return m;
}

}  // namespace

TEST_CASE("edit: the ROME update writes v* for k* exactly") {
    const int d = 6, h = 5, n = 9;
    Rng rng(3);
    Mat W(d, h), K(h, n);                                 // (d, h), (h, n)
    for (int i = 0; i < W.size(); ++i) W.data()[i] = float(rng.normal());
    for (int i = 0; i < K.size(); ++i) K.data()[i] = float(rng.uniform());
    Vec k(h), v(d);
    for (int i = 0; i < h; ++i) k[i] = float(rng.uniform());
    for (int i = 0; i < d; ++i) v[i] = float(rng.normal());
    float lambda = 0;
    const Mat C = key_covariance(K, 1e-3f, &lambda);
    CHECK(lambda > 0);
    CHECK(C.rows() == h);
    Mat W2 = W;
    REQUIRE(rome_update(W2, C, k, v));
    const Vec got = W2 * k;
    for (int i = 0; i < d; ++i) CHECK(got[i] == doctest::Approx(v[i]).epsilon(1e-4));
    // Rank one: every column moved along the same direction Λ.
    const Mat dW = W2 - W;
    Eigen::JacobiSVD<Mat> svd(dW);
    CHECK(svd.singularValues()[1] < 1e-4f * svd.singularValues()[0]);
    // A zero key has nothing to edit.
    Mat W3 = W;
    CHECK_FALSE(rome_update(W3, C, Vec::Zero(h), v));
}

TEST_CASE("edit: compiled model, Michael Jordan -> baseball") {
    const FactSet& fs = builtin_facts();
    const Model m = compile_model(fs);
    for (EditMethod method : {EditMethod::Rome, EditMethod::Column}) {
        Model edited;
        const EditReport r = edit_fact(m, fs, mj_baseball(method), &edited);
        REQUIRE_MESSAGE(r.ok, r.error);
        CHECK(r.old_object == "basketball");
        CHECK(r.edited_correct);
        CHECK(answer(edited, "Michael Jordan", "sport") == "baseball");
        CHECK(r.probability_after > 0.5f);
        CHECK(r.others == int(fs.facts.size()) - 1);
        CHECK(r.others_accuracy_after() >= 0.99);
        // The rest of Michael Jordan stays: team and number.
        REQUIRE(r.same_subject.size() == 2);
        for (const FactChange& c : r.same_subject) CHECK(c.correct_after);
        // Near misses keep their sport.
        const FactChange* phelps = find_change(r.near_misses, "Michael Phelps", "sport");
        const FactChange* deandre = find_change(r.near_misses, "DeAndre Jordan", "sport");
        REQUIRE(phelps);
        REQUIRE(deandre);
        CHECK(phelps->answer_after == "swimming");
        CHECK(deandre->answer_after == "basketball");
        CHECK(answer(edited, "Michael Phelps", "sport") == "swimming");
        // A first-name Jordan shares a word, not a direction: not a near miss, and kept.
        CHECK_FALSE(find_change(r.near_misses, "Jordan Spieth", "sport"));
        CHECK(answer(edited, "Jordan Spieth", "sport") == "golf");
        // The edit touched W_down only.
        CHECK(edited.mlp.W_up == m.mlp.W_up);
        CHECK(edited.mlp.W_down != m.mlp.W_down);
    }
}

TEST_CASE("edit: learned model (fewer neurons than subjects), Michael Jordan -> baseball") {
    const FactSet& fs = builtin_facts();
    const Model& m = learned_builtin();
    Model rome_model, column_model;
    const EditReport rome = edit_fact(m, fs, mj_baseball(EditMethod::Rome), &rome_model);
    const EditReport column = edit_fact(m, fs, mj_baseball(EditMethod::Column), &column_model);
    REQUIRE_MESSAGE(rome.ok, rome.error);
    REQUIRE_MESSAGE(column.ok, column.error);
    MESSAGE("learned d=256 h=128: others " << rome.others_correct_before << " -> rome " << rome.others_correct_after
            << ", column " << column.others_correct_after << " of " << rome.others);
    CHECK(rome.edited_correct);
    CHECK(answer(rome_model, "Michael Jordan", "sport") == "baseball");
    CHECK(rome.others_accuracy_before() == 1.0);
    CHECK(rome.others_accuracy_after() >= 0.99);
    for (const FactChange& c : rome.same_subject) CHECK(c.correct_after);
    CHECK(answer(rome_model, "Michael Phelps", "sport") == "swimming");
    CHECK(answer(rome_model, "DeAndre Jordan", "sport") == "basketball");
    CHECK(rome.lambda > 0);
    // The naive column edit reaches the fact too, but costs the other facts more.
    CHECK(column.edited_correct);
    CHECK(column.neuron >= 0);
    CHECK(column.others_correct_after <= rome.others_correct_after);
}

TEST_CASE("edit: bad requests are refused with a message") {
    const FactSet& fs = builtin_facts();
    const Model m = compile_model(fs);
    Model out;
    EditRequest r = mj_baseball(EditMethod::Rome);
    r.subject = "Nobody Inparticular";
    EditReport rep = edit_fact(m, fs, r, &out);
    CHECK_FALSE(rep.ok);
    CHECK(rep.error.find("subject") != std::string::npos);
    r = mj_baseball(EditMethod::Rome);
    r.object = "Chicago Bulls";                           // a team, not a sport
    rep = edit_fact(m, fs, r, &out);
    CHECK_FALSE(rep.ok);
    CHECK(rep.error.find("candidate") != std::string::npos);
    r = mj_baseball(EditMethod::Rome);
    r.relation = "height";
    rep = edit_fact(m, fs, r, &out);
    CHECK_FALSE(rep.ok);
    r = mj_baseball(EditMethod::Rome);
    r.ridge = 0;
    rep = edit_fact(m, fs, r, &out);
    CHECK_FALSE(rep.ok);
    EditMethod em;
    CHECK(edit_method_from_name("column", &em));
    CHECK(em == EditMethod::Column);
    CHECK_FALSE(edit_method_from_name("sledgehammer", &em));
}
