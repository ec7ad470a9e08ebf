// Text of numbers in sigstream's tables.
#pragma once

#include <charconv>
#include <string>

namespace sigstream {

// The shortest decimal text that reads back as exactly `v` (integers without a decimal point).
inline std::string exact_number(double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

}  // namespace sigstream
