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

// A part longer than kMaxPart bytes (a 16 MB cell quoted in a message) keeps its start and end around a note of
// how much was left out, cut at whole UTF-8 characters: a message stays a line a person can read.
constexpr std::size_t kMaxPart = 600;

std::string shortened(const std::string& text) {
    if (text.size() <= kMaxPart) return text;
    auto boundary = [&](std::size_t i) {  // back to the start of the UTF-8 character holding byte i
        while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
        return i;
    };
    const std::size_t head = boundary(400), tail = boundary(text.size() - 150);
    return text.substr(0, head) + "\xE2\x80\xA6[" + std::to_string(tail - head) + " bytes]\xE2\x80\xA6" +
           text.substr(tail);
}

std::string compose(const std::string& file, std::uint64_t line, const std::string& what, const std::string& hint) {
    std::string s;
    if (!file.empty()) {
        s.append(shortened(printable(file)));
        if (line > 0) {
            s.push_back(':');
            s.append(std::to_string(line));
        }
        s.append(": ");
    }
    s.append(shortened(printable(what)));
    if (!hint.empty()) {
        s.append(" \xE2\x80\x94 ");  // em dash
        s.append(shortened(printable(hint)));
    }
    return s;
}
}  // namespace

Error::Error(std::string file, std::uint64_t line, std::string what, std::string hint)
    : std::runtime_error(compose(file, line, what, hint)),
      file_(std::move(file)),
      line_(line),
      problem_(std::move(what)),
      hint_(std::move(hint)) {}

}  // namespace sigstream
