#include "core/errors.h"

namespace sigstream {

namespace {
// Control characters (a NUL, a newline in a file name or a record) are shown escaped, so that the message stays one
// whole line: `\n`, `\r`, `\t`, `\0`, or `\xHH`.
std::string printable(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u != 0x7f) {
            out.push_back(c);
            continue;
        }
        static const char* hex = "0123456789abcdef";
        switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\0':
                out += "\\0";
                break;
            default:
                out += std::string("\\x") + hex[u >> 4] + hex[u & 15];
        }
    }
    return out;
}

std::string compose(const std::string& file, std::uint64_t line, const std::string& what, const std::string& hint) {
    std::string s;
    if (!file.empty()) {
        s.append(file);
        if (line > 0) {
            s.push_back(':');
            s.append(std::to_string(line));
        }
        s.append(": ");
    }
    s.append(what);
    if (!hint.empty()) {
        s.append(" \xE2\x80\x94 ");  // em dash
        s.append(hint);
    }
    return printable(s);
}
}  // namespace

Error::Error(std::string file, std::uint64_t line, std::string what, std::string hint)
    : std::runtime_error(compose(file, line, what, hint)),
      file_(std::move(file)),
      line_(line),
      problem_(std::move(what)),
      hint_(std::move(hint)) {}

}  // namespace sigstream
