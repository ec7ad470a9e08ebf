#include "io/matrix_tsv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "core/errors.h"
#include "io/output_file.h"
#include "test_util.h"

namespace sigstream {
namespace {

// A 96 x 2 matrix whose value in row r, column j is r * 10 + j (so a row mix-up shows).
std::string sbs96_text(const std::string& corner, char sep, bool substitution_major, const std::string& eol = "\n") {
    std::string s = corner.empty() ? "" : corner + sep;
    s += std::string("S1") + sep + "S2" + eol;
    std::vector<std::size_t> order(96);
    for (std::size_t i = 0; i < 96; ++i) order[i] = i;
    if (substitution_major) {
        // C>A:ACA, C>A:ACC, … : substitution first, then 5', then 3' — the order of many cohort tables
        std::sort(order.begin(), order.end(), [](std::size_t a, std::size_t b) {
            auto key = [](std::size_t i) { return ((i / 4) % 6) * 16 + (i / 24) * 4 + i % 4; };
            return key(a) < key(b);
        });
    }
    const auto& labels = channel_labels(Context::SBS96);
    for (std::size_t i : order) s += labels[i] + sep + std::to_string(i * 10) + sep + std::to_string(i * 10 + 1) + eol;
    return s;
}

void expect_canonical(const LabelledMatrix& m) {
    EXPECT_EQ(m.context, Context::SBS96);
    ASSERT_EQ(m.columns, (std::vector<std::string>{"S1", "S2"}));
    ASSERT_EQ(m.values.rows(), 96);
    ASSERT_EQ(m.values.cols(), 2);
    for (int r = 0; r < 96; ++r) {
        EXPECT_EQ(m.values(r, 0), r * 10);
        EXPECT_EQ(m.values(r, 1), r * 10 + 1);
    }
}

LabelledMatrix read_text(const std::string& text, const std::string& name = "m.tsv",
                         MatrixValues values = MatrixValues::counts) {
    test::TempDir d;
    test::write_file(d.file(name), text);
    return read_count_matrix(d.file(name), values);
}

TEST(MatrixTsv, RowsAreMatchedByLabelNotPosition) {
    expect_canonical(read_text(sbs96_text("MutationType", '\t', false)));
    expect_canonical(read_text(sbs96_text("MutationType", '\t', true)));
}

TEST(MatrixTsv, HeaderCornerMayBeAnythingOrMissing) {
    expect_canonical(read_text(sbs96_text("Type", '\t', false)));
    expect_canonical(read_text(sbs96_text("channel", '\t', true)));
    expect_canonical(read_text(sbs96_text("", '\t', false)));
}

TEST(MatrixTsv, CommaCrlfBomAndGzip) {
    expect_canonical(read_text(sbs96_text("MutationType", ',', true)));
    expect_canonical(read_text("\xEF\xBB\xBF" + sbs96_text("Type", '\t', false, "\r\n")));
    test::TempDir d;
    {
        OutputFile out(d.file("m.tsv.gz"));
        out.stream() << sbs96_text("MutationType", '\t', true);
        out.commit();
    }
    expect_canonical(read_count_matrix(d.file("m.tsv.gz")));
}

TEST(MatrixTsv, WriteThenReadRoundTripsExactly) {
    LabelledMatrix m;
    m.context = Context::SBS96;
    m.columns = {"a", "b", "c"};
    m.values = Eigen::MatrixXd::Random(96, 3).cwiseAbs();
    m.values(0, 0) = 3;  // integers are written without a decimal point
    m.values(1, 0) = 0.1;
    std::ostringstream out;
    write_labelled_matrix(m, out);
    EXPECT_EQ(out.str().rfind("MutationType\ta\tb\tc\nA[C>A]A\t3\t", 0), 0u) << out.str().substr(0, 40);
    LabelledMatrix back = read_text(out.str(), "m.tsv", MatrixValues::normalised);
    EXPECT_EQ(back.columns, m.columns);
    EXPECT_EQ(back.values, m.values);  // bit for bit
}

TEST(MatrixTsv, CountsAreWholeNumbersUpToTwoToThe53) {
    std::string good = sbs96_text("MutationType", '\t', false);
    auto with_row3 = [&](const std::string& cell) {
        std::string t = good;
        t.replace(t.find("A[C>A]C\t10\t11\n"), 14, "A[C>A]C\t" + cell + "\t11\n");
        return t;
    };
    auto data_error = [&](const std::string& text, MatrixValues values) -> std::string {
        try {
            read_text(text, "m.tsv", values);
        } catch (const DataError& e) {
            return std::to_string(e.line()) + " " + e.what();
        }
        return "no DataError";
    };
    // proportions, halves: not counts, unless the matrix is declared normalised
    for (const char* cell : {"0.25", "2.5", "1e-3", "4503599627370495.5"}) {
        SCOPED_TRACE(cell);
        const std::string e = data_error(with_row3(cell), MatrixValues::counts);
        EXPECT_EQ(e.rfind("3 ", 0), 0u) << e;
        EXPECT_NE(e.find("is not a whole number"), std::string::npos) << e;
        EXPECT_NE(e.find("--input-normalised"), std::string::npos) << e;
    }
    EXPECT_EQ(read_text(with_row3("2.5"), "m.tsv", MatrixValues::normalised).values(1, 0), 2.5);
    // 2^53 is the largest count and column total. Column S1 holds 10 i in row i (45 600 in all): a row-3 cell of
    // 2^53 - 45 590 makes the total exactly 2^53; 2 more (the next double) passes it.
    EXPECT_EQ(read_text(with_row3("9007199254695402")).values(1, 0), 9007199254695402.0);
    EXPECT_NE(data_error(with_row3("9007199254695404"), MatrixValues::counts).find("add up to more than 2^53"),
              std::string::npos);
    for (const char* cell : {"9007199254740994", "1e160", "1.7976931348623157e308"})
        for (MatrixValues v : {MatrixValues::counts, MatrixValues::normalised}) {
            SCOPED_TRACE(cell);
            const std::string e = data_error(with_row3(cell), v);
            EXPECT_EQ(e.rfind("3 ", 0), 0u) << e;
            EXPECT_NE(e.find("larger than 2^53"), std::string::npos) << e;
        }
}

TEST(MatrixTsv, Sbs6AndSbs1536AreRecognised) {
    LabelledMatrix m = read_text("Type\tx\nC>A\t1\nC>G\t2\nC>T\t3\nT>A\t4\nT>C\t5\nT>G\t6\n");
    EXPECT_EQ(m.context, Context::SBS6);
    EXPECT_EQ(m.values(5, 0), 6);
    std::string s = "MutationType\tx\n";
    for (const auto& l : channel_labels(Context::SBS1536)) s += l + "\t1\n";
    EXPECT_EQ(read_text(s).context, Context::SBS1536);
}

TEST(MatrixTsv, ShippedCosmicSignaturesLoad) {
    LabelledMatrix c =
        read_signatures(std::string(SIGSTREAM_TEST_SOURCE_DIR) + "/../data/cosmic/COSMIC_v3.4_SBS_GRCh37.txt");
    EXPECT_EQ(c.context, Context::SBS96);
    EXPECT_EQ(c.columns.size(), 86u);
    EXPECT_EQ(c.columns[0], "SBS1");
    for (Eigen::Index j = 0; j < c.values.cols(); ++j) EXPECT_NEAR(c.values.col(j).sum(), 1.0, 1e-12);
    // First row of the file: A[C>A]A, SBS1 = 0.000886157 (before renormalising by a sum within 1e-3 of 1)
    EXPECT_NEAR(c.values(0, 0), 0.000886157, 1e-6);
}

void expect_format_error(const std::string& text, const std::string& needle, std::uint64_t line) {
    try {
        read_text(text);
        FAIL() << "no error for: " << needle;
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        EXPECT_EQ(e.line(), line) << e.what();
    }
}

TEST(MatrixTsv, BadCellsAreFormatErrorsWithTheirLine) {
    std::string good = sbs96_text("MutationType", '\t', false);
    auto with_row3 = [&](const std::string& cell) {
        std::string t = good;
        std::size_t p = t.find("A[C>A]C\t10\t11\n");
        t.replace(p, 14, "A[C>A]C\t" + cell + "\t11\n");
        return t;
    };
    expect_format_error(with_row3("NaN"), "not a number", 3);
    expect_format_error(with_row3("-1"), "negative", 3);
    expect_format_error(with_row3("ten"), "is not a number", 3);
    expect_format_error(with_row3(""), "is not a number", 3);
    expect_format_error(with_row3("inf"), "infinite", 3);
}

TEST(MatrixTsv, BadLabelsAndNamesAreFormatErrors) {
    std::string good = sbs96_text("MutationType", '\t', false);
    std::string dup_label = good;
    dup_label.replace(dup_label.find("A[C>A]C"), 7, "A[C>A]A");
    expect_format_error(dup_label, "appears twice", 3);
    std::string unknown = good;
    unknown.replace(unknown.find("A[C>A]C"), 7, "A[C>N]C");
    expect_format_error(unknown, "not an SBS96 channel label", 3);
    std::string missing = good.substr(0, good.rfind("T[T>G]T"));
    expect_format_error(missing, "1 of the 96 SBS96 channels have no row (T[T>G]T)", 0);
    std::string dup_sample = good;
    dup_sample.replace(dup_sample.find("S2"), 2, "S1");
    expect_format_error(dup_sample, "'S1' appears twice", 1);
    expect_format_error("MutationType\tS1\n", "no rows", 1);
    expect_format_error("", "empty", 0);
    expect_format_error("MutationType\tS1\nnot_a_label\t1\n", "not a mutation channel label", 2);
}

TEST(MatrixTsv, SignatureColumnsMustSumToOne) {
    test::TempDir d;
    std::string s = "Type\tSig1\tSig2\n";
    const auto& labels = channel_labels(Context::SBS96);
    for (std::size_t i = 0; i < 96; ++i)
        s += labels[i] + "\t" + (i == 0 ? "1.0005" : "0") + "\t" + (i == 0 ? "0.5" : "0") + "\n";
    test::write_file(d.file("s.tsv"), s);
    try {
        read_signatures(d.file("s.tsv"));
        FAIL();
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("'Sig2' sums to 0.5"), std::string::npos) << e.what();
    }
    s = "Type\tSig1\n";
    for (std::size_t i = 0; i < 96; ++i) s += labels[i] + "\t" + (i < 2 ? "0.5004" : "0") + "\n";
    test::write_file(d.file("t.tsv"), s);
    LabelledMatrix m = read_signatures(d.file("t.tsv"));
    EXPECT_DOUBLE_EQ(m.values(0, 0), 0.5);  // renormalised
}

}  // namespace
}  // namespace sigstream
