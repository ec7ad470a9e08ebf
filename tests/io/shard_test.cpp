// Extraction shards (src/io/shard.h): exact round trips and refusal of anything that is not a complete,
// unchanged shard.
#include "io/shard.h"
#include "io/checksum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>

#include "core/errors.h"
#include "test_util.h"

namespace sigstream {
namespace {

// Values that a decimal round trip easily gets wrong.
const std::vector<double> kAwkward = {1.0 / 3,
                                      1e-300,
                                      0.1 + 0.2,
                                      123456789012345.0,
                                      9007199254740993.0 - 1,  // 2^53
                                      9007199254740994.0,      // 2^53 + 2
                                      1e22,
                                      2.0 / 3 * 1e-5,
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::max(),
                                      0.0,
                                      42.0};

double awkward(std::size_t n) {
    return kAwkward[n % kAwkward.size()] * (n % 5 == 3 ? 1.0 / 7 : 1.0);
}

Replicate replicate(int k, int index, std::size_t channels, std::size_t salt) {
    Replicate r;
    r.k = k;
    r.index = index;
    r.iterations = 1000 * k + index;
    r.objective = -12345.678901234567 / (1 + index) + 1.0 / 3;
    r.W.resize(static_cast<Eigen::Index>(channels), k);
    for (Eigen::Index c = 0; c < k; ++c)
        for (Eigen::Index i = 0; i < r.W.rows(); ++i)
            r.W(i, c) =
                std::min(awkward(static_cast<std::size_t>(i * 3 + c) + salt), 1e200) / (1 + static_cast<double>(c));
    // Signatures sum to 1 (the reader checks it); the awkward digits survive the scaling.
    for (Eigen::Index c = 0; c < k; ++c) r.W.col(c) /= r.W.col(c).sum();
    return r;
}

// A shard of K = 2 and 3, replicates 1 <= i < 3 of 4.
Shard sample_shard(Context context = Context::SBS96) {
    Shard s;
    s.sigstream_version = "0.9.1-test";
    s.backend = "nmf";
    s.backend_version = "1.2.3";
    s.plan.fit.params = {{"objective", "kl"}, {"init", "random uniform"}, {"empty", ""}};
    s.plan.fit.seed = std::numeric_limits<std::uint64_t>::max();
    s.plan.replicates = 4;
    s.plan.ks = {2, 3};
    s.plan.first = 1;
    s.plan.last = 3;
    s.plan.normalise = Normalisation::gmm;
    s.plan.fit.max_iter = 12345;
    s.plan.fit.tol = 0.1 + 0.2;
    s.plan.fit.tol_window = 37;
    s.matrix = "/data/my cohort/counts.tsv";
    s.counts.context = context;
    s.counts.columns = {"S1", "S 2", "S3"};
    const std::size_t channels = channel_labels(context).size();
    s.counts.values.resize(static_cast<Eigen::Index>(channels), 3);
    for (Eigen::Index i = 0; i < s.counts.values.rows(); ++i)
        for (Eigen::Index j = 0; j < 3; ++j) s.counts.values(i, j) = awkward(static_cast<std::size_t>(i * 7 + j));
    // the most awkward ones in known places
    s.counts.values(0, 0) = 1.0 / 3;
    s.counts.values(0, 1) = 1e-300;
    s.counts.values(0, 2) = 0.1 + 0.2;
    s.counts.values(1, 0) = 9007199254740994.0;
    s.counts.values(1, 1) = std::numeric_limits<double>::denorm_min();
    s.counts.values(1, 2) = std::numeric_limits<double>::max();
    std::size_t salt = 0;
    for (int k : s.plan.ks)
        for (int i = s.plan.first; i < s.plan.last; ++i) s.fits.push_back(replicate(k, i, channels, salt += 11));
    return s;
}

std::string text_of(const Shard& s) {
    std::ostringstream out;
    write_shard(s, out);
    return out.str();
}

void expect_equal(const Shard& a, const Shard& b) {
    EXPECT_EQ(a.sigstream_version, b.sigstream_version);
    EXPECT_EQ(a.backend, b.backend);
    EXPECT_EQ(a.backend_version, b.backend_version);
    EXPECT_EQ(a.plan.fit.params, b.plan.fit.params);
    EXPECT_EQ(a.plan.fit.seed, b.plan.fit.seed);
    EXPECT_EQ(a.plan.replicates, b.plan.replicates);
    EXPECT_EQ(a.plan.ks, b.plan.ks);
    EXPECT_EQ(a.plan.first, b.plan.first);
    EXPECT_EQ(a.plan.last, b.plan.last);
    EXPECT_EQ(a.plan.normalise, b.plan.normalise);
    EXPECT_EQ(a.plan.fit.max_iter, b.plan.fit.max_iter);
    EXPECT_EQ(a.plan.fit.tol, b.plan.fit.tol);
    EXPECT_EQ(a.plan.fit.tol_window, b.plan.fit.tol_window);
    EXPECT_EQ(a.matrix, b.matrix);
    EXPECT_EQ(a.counts.context, b.counts.context);
    EXPECT_EQ(a.counts.columns, b.counts.columns);
    ASSERT_EQ(a.counts.values.rows(), b.counts.values.rows());
    ASSERT_EQ(a.counts.values.cols(), b.counts.values.cols());
    EXPECT_TRUE(a.counts.values == b.counts.values);
    ASSERT_EQ(a.fits.size(), b.fits.size());
    for (std::size_t n = 0; n < a.fits.size(); ++n) {
        SCOPED_TRACE(n);
        EXPECT_EQ(a.fits[n].k, b.fits[n].k);
        EXPECT_EQ(a.fits[n].index, b.fits[n].index);
        EXPECT_EQ(a.fits[n].iterations, b.fits[n].iterations);
        EXPECT_EQ(a.fits[n].objective, b.fits[n].objective);
        ASSERT_EQ(a.fits[n].W.rows(), b.fits[n].W.rows());
        ASSERT_EQ(a.fits[n].W.cols(), b.fits[n].W.cols());
        EXPECT_TRUE(a.fits[n].W == b.fits[n].W);
    }
}

TEST(ShardRoundTrip, AwkwardNumbersReadBackExactly) {
    test::TempDir d;
    const Shard s = sample_shard();
    const std::string path = d.file("a.shard");
    test::write_file(path, text_of(s));
    const Shard back = read_shard(path);
    expect_equal(s, back);
    // the values really are the awkward ones, bit for bit
    EXPECT_EQ(back.counts.values(0, 0), 1.0 / 3);
    EXPECT_EQ(back.counts.values(0, 1), 1e-300);
    EXPECT_EQ(back.counts.values(0, 2), 0.1 + 0.2);
    EXPECT_EQ(back.counts.values(1, 1), std::numeric_limits<double>::denorm_min());
    EXPECT_EQ(back.counts.values(1, 2), std::numeric_limits<double>::max());
    EXPECT_EQ(back.counts.values(1, 0), 9007199254740994.0);
    EXPECT_EQ(back.plan.fit.tol, 0.1 + 0.2);
    EXPECT_EQ(back.plan.fit.tol_window, 37);
    EXPECT_EQ(back.plan.fit.seed, 18446744073709551615ull);
    // and writing what was read gives the same text
    EXPECT_EQ(text_of(back), text_of(s));
}

TEST(ShardRoundTrip, GzipAndOtherCatalogues) {
    test::TempDir d;
    for (Context c : {Context::SBS6, Context::SBS96, Context::SBS1536}) {
        SCOPED_TRACE(static_cast<int>(c));
        const Shard s = sample_shard(c);
        const std::string path = d.file("b" + std::to_string(static_cast<int>(c)) + ".shard");
        test::write_file(path, text_of(s));
        expect_equal(s, read_shard(test::bgzip_file(path)));
    }
}

TEST(ShardRoundTrip, OneKOneReplicateNoParams) {
    test::TempDir d;
    Shard s = sample_shard();
    s.plan.ks = {5};
    s.plan.first = 3;
    s.plan.last = 4;
    s.fits = {replicate(5, 3, 96, 1)};
    s.plan.fit.params.clear();
    const std::string path = d.file("one.shard");
    test::write_file(path, text_of(s));
    expect_equal(s, read_shard(path));
}

// Reads `text` as a shard and returns the FormatError (fails the test if there is none).
std::optional<FormatError> format_error(const std::string& text, const std::string& name = "bad.shard") {
    test::TempDir d;
    const std::string path = d.file(name);
    test::write_file(path, text);
    try {
        read_shard(path);
    } catch (const FormatError& e) {
        EXPECT_EQ(e.file(), path);
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a FormatError: " << e.what();
        return std::nullopt;
    }
    ADD_FAILURE() << "read without error";
    return std::nullopt;
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    const std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

// `body` (a shard's lines before #end) sealed with the #end line: the replicate count and the body's MD5.
std::string sealed(const std::string& body, std::size_t replicates) {
    Md5 md5;
    md5.update(body);
    return body + "#end\t" + std::to_string(replicates) + "\t" + md5.hex() + "\n";
}

// A shard's text without its #end line.
std::string body_of(const std::string& text) {
    const std::size_t end = text.rfind("#end\t");
    EXPECT_NE(end, std::string::npos);
    return text.substr(0, end);
}

// The text of one #replicate block (its line and the channel rows) of K = k, index i.
std::string block(const std::string& text, int k, int i) {
    const std::string head = "#replicate\t" + std::to_string(k) + "\t" + std::to_string(i) + "\t";
    const std::size_t start = text.find(head);
    EXPECT_NE(start, std::string::npos);
    std::size_t end = text.find("\n#", start + 1);
    return text.substr(start, end + 1 - start);
}

TEST(ShardErrors, NotAShard) {
    auto e = format_error("MutationType\tS1\tS2\nA[C>A]A\t1\t2\n");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->line(), 1u);
    EXPECT_NE(std::string(e->what()).find("not a sigstream extraction shard"), std::string::npos) << e->what();
    EXPECT_TRUE(format_error("##sigstream-shard\n"));  // no version field
    EXPECT_TRUE(format_error(""));
    EXPECT_TRUE(format_error("##fileformat=VCFv4.2\n"));
}

TEST(ShardErrors, OtherFormatVersion) {
    const std::string text = text_of(sample_shard());
    ASSERT_EQ(text.rfind("##sigstream-shard\t4\n", 0), 0u);  // format 4: #end carries an MD5
    for (const char* version : {"1", "2", "3", "5", "0", "4.0", ""}) {
        SCOPED_TRACE(version);
        auto e = format_error(
            replace_once(text, "##sigstream-shard\t4\n", std::string("##sigstream-shard\t") + version + "\n"));
        ASSERT_TRUE(e);
        EXPECT_EQ(e->line(), 1u);
    }
    // a shard of format 3 has no checksum: refused, naming both formats
    auto e = format_error(replace_once(text, "##sigstream-shard\t4\n", "##sigstream-shard\t3\n"));
    ASSERT_TRUE(e);
    EXPECT_NE(std::string(e->what()).find("shard format 3 is not the format 4"), std::string::npos) << e->what();
}

TEST(ShardErrors, TruncatedAnywhere) {
    const std::string text = text_of(sample_shard());
    // every line boundary of the header, every 20th line after it, every 997th byte, and
    // every byte of the last 40 (around #end); the whole text without its final newline is still complete
    std::vector<std::size_t> cuts;
    std::size_t line = 0;
    for (std::size_t p = 0; p + 1 < text.size(); ++p) {
        if (text[p] == '\n' && (++line < 20 || line % 20 == 0))
            cuts.push_back(p + 1);
        else if (p % 997 == 0 || p + 40 >= text.size())
            cuts.push_back(p);
    }
    ASSERT_GT(cuts.size(), 100u);
    test::TempDir d;
    const std::string path = d.file("cut.shard");
    int refused = 0;
    for (std::size_t cut : cuts) {
        if (cut + 1 >= text.size()) continue;
        test::write_file(path, text.substr(0, cut));
        try {
            read_shard(path);
            ADD_FAILURE() << "a shard cut at byte " << cut << " of " << text.size() << " was read";
        } catch (const FormatError&) {
            ++refused;
        }
    }
    EXPECT_GT(refused, 100);
    // without the final newline it is complete
    test::write_file(path, text.substr(0, text.size() - 1));
    EXPECT_EQ(read_shard(path).fits.size(), 4u);
}

TEST(ShardErrors, TruncatedGzipIsRefused) {
    test::TempDir d;
    const std::string path = d.file("z.shard");
    test::write_file(path, text_of(sample_shard()));
    const std::string gz = test::read_file(test::bgzip_file(path));
    for (std::size_t cut : {std::size_t{10}, gz.size() / 2, gz.size() - 10}) {
        SCOPED_TRACE(cut);
        test::write_file(path + ".cut.gz", gz.substr(0, cut));
        EXPECT_THROW(read_shard(path + ".cut.gz"), Error);
    }
}

TEST(ShardErrors, EndCountMismatch) {
    const std::string text = text_of(sample_shard());
    const std::string body = body_of(text);
    ASSERT_EQ(sealed(body, 4), text);
    const std::string md5 = text.substr(body.size() + 7, 32);
    for (const std::string& end :
         {"#end\t3\t" + md5 + "\n", "#end\t5\t" + md5 + "\n", "#end\t0\t" + md5 + "\n", "#end\t\t" + md5 + "\n",
          std::string("#end\t4\n"), std::string("#end\n"), "#end\tfour\t" + md5 + "\n"}) {
        SCOPED_TRACE(end);
        EXPECT_TRUE(format_error(body + end));
    }
}

TEST(ShardErrors, EditedContentIsRefusedByItsChecksum) {
    const std::string text = text_of(sample_shard());
    // Move 2^-10 of one signature's weight from one channel to another: every column still sums to 1.
    const std::string b = block(text, 2, 1);
    std::string edited = b;
    edited = replace_once(edited, "\nA[C>A]G\t0.050724637681159195\t", "\nA[C>A]G\t0.049748075181159195\t");
    edited = replace_once(edited, "\nA[C>G]G\t0.050724637681159195\t", "\nA[C>G]G\t0.051701200181159195\t");
    ASSERT_NE(edited, b);
    const std::string changed = replace_once(text, b, edited);
    auto e = format_error(changed);
    ASSERT_TRUE(e);
    EXPECT_NE(std::string(e->what()).find("does not match its MD5"), std::string::npos) << e->what();
    EXPECT_EQ(e->line(), static_cast<std::uint64_t>(std::count(changed.begin(), changed.end(), '\n')));
    // the same edit resealed is a well-formed shard (the checksum guards against edits, not against the numbers)
    test::TempDir d;
    test::write_file(d.file("resealed.shard"), sealed(body_of(changed), 4));
    EXPECT_NO_THROW(read_shard(d.file("resealed.shard")));
    // a changed count, a changed seed: the same
    EXPECT_TRUE(format_error(replace_once(text, "##seed\t18446744073709551615\n", "##seed\t18446744073709551614\n")));
}

TEST(ShardErrors, ReplicatesMustBeTheHeadersKTimesRangeInOrder) {
    const std::string text = text_of(sample_shard());
    const std::string b21 = block(text, 2, 1), b22 = block(text, 2, 2), b31 = block(text, 3, 1),
                      b32 = block(text, 3, 2);
    const std::string head = text.substr(0, text.find(b21));
    auto with = [&](const std::string& blocks, std::size_t n) { return sealed(head + blocks, n); };
    ASSERT_EQ(with(b21 + b22 + b31 + b32, 4), text);                  // the pieces put back together
    EXPECT_TRUE(format_error(with(b21 + b31 + b32, 3)));              // missing (2, 2)
    EXPECT_TRUE(format_error(with(b21 + b22 + b31, 3)));              // missing the last
    EXPECT_TRUE(format_error(with(b22 + b21 + b31 + b32, 4)));        // out of order
    EXPECT_TRUE(format_error(with(b31 + b32 + b21 + b22, 4)));        // K out of order
    EXPECT_TRUE(format_error(with(b21 + b22 + b31 + b32 + b32, 5)));  // one too many
    EXPECT_TRUE(format_error(with(b21 + b21 + b31 + b32, 4)));        // a duplicate instead of (2, 2)
    // a replicate outside the header's range
    const std::string b23 = replace_once(b22, "#replicate\t2\t2\t", "#replicate\t2\t3\t");
    EXPECT_TRUE(format_error(with(b21 + b22 + b23 + b31 + b32, 5)));
    // a K the header does not list
    EXPECT_TRUE(format_error(sealed(body_of(replace_once(text, "##k\t2\t3\n", "##k\t2\n")), 4)));
    EXPECT_TRUE(format_error(sealed(body_of(replace_once(text, "##k\t2\t3\n", "##k\t2\t3\t4\n")), 4)));
    // a range that disagrees with the fits, or with the number of replicates
    EXPECT_TRUE(format_error(sealed(body_of(replace_once(text, "##range\t1\t3\n", "##range\t0\t3\n")), 4)));
    EXPECT_TRUE(format_error(sealed(body_of(replace_once(text, "##range\t1\t3\n", "##range\t1\t2\n")), 4)));
    EXPECT_TRUE(format_error(sealed(body_of(replace_once(text, "##replicates\t4\n", "##replicates\t2\n")), 4)));
    // a block whose rows do not have K values
    EXPECT_TRUE(format_error(replace_once(text, "#replicate\t2\t1\t", "#replicate\t3\t1\t")));
}

TEST(ShardErrors, UnknownOrMalformedHeaderFields) {
    const std::string text = text_of(sample_shard());
    auto e = format_error(replace_once(text, "##backend\tnmf\n", "##backend\tnmf\n##colour\tblue\n"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->line(), 4u);  // version, sigstream_version, backend, colour
    EXPECT_NE(std::string(e->what()).find("##colour"), std::string::npos) << e->what();
    EXPECT_TRUE(format_error(replace_once(text, "##backend\tnmf\n", "##backend\tnmf\tx\n")));
    EXPECT_TRUE(format_error(replace_once(text, "##backend\tnmf\n", "")));  // no backend
    EXPECT_TRUE(format_error(replace_once(text, "##seed\t18446744073709551615\n", "##seed\t-1\n")));
    EXPECT_TRUE(format_error(replace_once(text, "##seed\t18446744073709551615\n", "##seed\t18446744073709551616\n")));
    EXPECT_TRUE(format_error(replace_once(text, "##max_iter\t12345\n", "##max_iter\t12345.5\n")));
    EXPECT_TRUE(format_error(replace_once(text, "##tol\t", "##tol\tnan")));
    EXPECT_TRUE(format_error(replace_once(text, "##tol_window\t37\n", "##tol_window\t0\n")));
    EXPECT_TRUE(format_error(replace_once(text, "##tol_window\t37\n", "##tol_window\t1.5\n")));
    EXPECT_TRUE(format_error(replace_once(text, "##param\tobjective\tkl\n", "##param\tobjective\n")));
}

TEST(ShardErrors, BadNumbersAndRows) {
    const std::string text = text_of(sample_shard());
    const std::string r0 = block(text, 2, 1);
    const std::string first_row = r0.substr(r0.find('\n') + 1, r0.find('\n', r0.find('\n') + 1) - r0.find('\n'));
    EXPECT_TRUE(format_error(replace_once(text, first_row, "A[C>A]A\tinf\t0.5\n")));
    EXPECT_TRUE(format_error(replace_once(text, first_row, "A[C>A]A\t0.5\n")));
    EXPECT_TRUE(format_error(replace_once(text, first_row, "A[C>A]C\t0.5\t0.5\n")));  // wrong channel
    EXPECT_TRUE(format_error(replace_once(text, "#counts\t3\n", "#counts\t2\n")));
    EXPECT_TRUE(format_error(replace_once(text, "MutationType\tS1\tS 2\tS3\n", "MutationType\tS1\tS 2\n")));
}

TEST(ShardErrors, TextAfterEnd) {
    const std::string text = text_of(sample_shard());
    EXPECT_TRUE(format_error(text + "junk\n"));
    EXPECT_TRUE(format_error(text + "#end\t4\n"));
    EXPECT_TRUE(format_error(text + block(text, 3, 2)));
}

// Every header field is required: a shard without its seed, normalisation, iteration limit, tolerance,
// versions or matrix name is not a complete shard (consensus would otherwise record defaults as settings).
TEST(ShardErrors, EveryHeaderFieldIsRequired) {
    const std::string text = text_of(sample_shard());
    for (const char* line : {"##seed\t18446744073709551615\n", "##normalise\tgmm\n", "##max_iter\t12345\n",
                             "##tol\t0.30000000000000004\n", "##tol_window\t37\n", "##sigstream_version\t0.9.1-test\n",
                             "##backend_version\t1.2.3\n", "##matrix\t/data/my cohort/counts.tsv\n"}) {
        SCOPED_TRACE(line);
        EXPECT_TRUE(format_error(replace_once(text, line, "")));
    }
}

// Integers beyond int are refused rather than narrowed (4294967300 must not read as 4).
TEST(ShardErrors, IntegersBeyondIntAreRefused) {
    const std::string text = text_of(sample_shard());
    EXPECT_TRUE(format_error(replace_once(text, "##replicates\t4\n", "##replicates\t4294967300\n")));
    EXPECT_TRUE(format_error(replace_once(text, "#replicate\t2\t1\t", "#replicate\t4294967298\t1\t")));
}

TEST(ShardErrors, MissingFileIsAnIoError) {
    test::TempDir d;
    EXPECT_THROW(read_shard(d.file("nothing.shard")), IoError);
}

}  // namespace
}  // namespace sigstream
