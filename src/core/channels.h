// The mutation-channel catalogues: SBS6, SBS96 and SBS1536, in SigProfiler order.
//
// Bases are coded A=0, C=1, G=2, T=3. Substitutions, always from a pyrimidine REF, are coded
// C>A=0, C>G=1, C>T=2, T>A=3, T>C=4, T>G=5. Rows go 5' context, then substitution, then 3' context,
// each alphabetical, which is also the alphabetical order of the labels (`A[C>A]A`, `A[C>A]C`, …).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigstream {

enum class Context { SBS6, SBS96, SBS1536 };

constexpr std::size_t channel_count(Context c) {
    return c == Context::SBS6 ? 6 : c == Context::SBS96 ? 96 : 1536;
}

// "SBS6", "SBS96", "SBS1536".
std::string_view context_name(Context c);

// Parses `sbs6`, `sbs96`, `sbs1536` (any case); nullopt otherwise.
std::optional<Context> parse_context(std::string_view s);

// Row labels in SigProfiler order.
const std::vector<std::string>& channel_labels(Context c);

// Index of a label in channel_labels(c), or -1.
int channel_index(Context c, std::string_view label);

// Base code of a nucleotide letter (any case), or -1 for anything else (N, IUPAC codes, …).
namespace detail {
inline constexpr std::array<std::int8_t, 256> make_base_codes() {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    t['A'] = t['a'] = 0;
    t['C'] = t['c'] = 1;
    t['G'] = t['g'] = 2;
    t['T'] = t['t'] = 3;
    return t;
}
inline constexpr std::array<std::int8_t, 256> kBaseCodes = make_base_codes();
}  // namespace detail

inline int base_code(char b) {
    return detail::kBaseCodes[static_cast<unsigned char>(b)];
}

// Complement of a base code.
inline int complement(int code) {
    return 3 - code;
}

// Substitution index of a pyrimidine REF code (C=1 or T=3) and an ALT code; -1 when REF == ALT.
inline int substitution_index(int ref, int alt) {
    if (ref == alt) return -1;
    if (ref == 1) return alt == 0 ? 0 : alt == 2 ? 1 : 2;  // C>A, C>G, C>T
    return alt == 0 ? 3 : alt == 1 ? 4 : 5;                // T>A, T>C, T>G
}

inline int sbs96_index(int five, int sub, int three) {
    return five * 24 + sub * 4 + three;
}
inline int sbs1536_index(int five_outer, int five_inner, int sub, int three_inner, int three_outer) {
    return (five_outer * 4 + five_inner) * 96 + sub * 16 + three_inner * 4 + three_outer;
}
inline int sbs6_of_sbs96(int index96) {
    return (index96 / 4) % 6;
}

}  // namespace sigstream
