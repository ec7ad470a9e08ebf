#include "core/errors.h"

namespace sigstream {

namespace {
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
