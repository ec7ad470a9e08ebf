// Text of numbers in sigstream's tables.
#pragma once

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace sigstream {

// The shortest decimal text that reads back as exactly `v`: 0.25, 1e-07, 3 — and whole numbers below 1e21 always
// in full (100000, not 1e+05: a count or a total reads as a number of things).
inline std::string exact_number(double v) {
    char buf[32];
    const bool whole = v == std::floor(v) && std::fabs(v) < 1e21;
    auto r = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                   : std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// "a, b, c" — at most `max_shown` names, then "and N more".
inline std::string name_list(const std::vector<std::string>& names, std::size_t max_shown = 20) {
    std::string s;
    for (std::size_t i = 0; i < names.size() && i < max_shown; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > max_shown) s += " and " + std::to_string(names.size() - max_shown) + " more";
    return s;
}

// `s` on one line: line breaks and tabs become spaces, trailing spaces go (text from plugins and files ends
// up in one-line messages).
inline std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

}  // namespace sigstream
