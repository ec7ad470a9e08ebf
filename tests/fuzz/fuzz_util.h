// Helpers shared by the fuzz targets (tests/fuzz/fuzz_*.cpp): a private scratch folder per process, and writing
// the fuzzer's bytes to files there, because every reader of the library takes a path. Include it from the
// target's one source file only (it defines __ubsan_default_options).
//
// The folder is made under $TMPDIR (scripts/fuzz.sh points it into build-fuzz/tmp) and removed at exit. Nothing
// here throws a sigstream::Error: a failure of the harness itself aborts, so it is never mistaken for a finding's
// "typed error" outcome.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

// UndefinedBehaviorSanitizer (when built in): every report is fatal, with its stack, as libFuzzer needs. The
// environment's UBSAN_OPTIONS add to these (scripts/fuzz.sh adds the suppressions of known findings). A strong
// definition, so this header belongs in one source file per executable (each target is one).
extern "C" const char* __ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1";
}

namespace sigstream_fuzz {

[[noreturn]] inline void harness_failure(const std::string& what) {
    std::fprintf(stderr, "fuzz harness: %s\n", what.c_str());
    std::abort();
}

inline void remove_scratch();

// The process's scratch folder (created on first use, removed at exit).
inline const std::string& scratch() {
    static const std::string dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/sigstream-fuzz.XXXXXX";
        if (!mkdtemp(templ.data())) harness_failure("cannot create a scratch folder from " + templ);
        return templ;
    }();
    // Registered once `dir` is complete, so the removal runs before `dir` is destroyed.
    static const bool registered = std::atexit(remove_scratch) == 0;
    (void)registered;
    return dir;
}

inline void remove_scratch() {
    std::error_code ec;
    std::filesystem::remove_all(scratch(), ec);
}

// scratch()/name, emptied (or created) now.
inline std::string fresh_folder(const std::string& name) {
    const std::string dir = scratch() + "/" + name;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (!std::filesystem::create_directories(dir, ec) || ec) harness_failure("cannot create " + dir);
    return dir;
}

inline void write_file(const std::string& path, const void* data, std::size_t size) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) harness_failure("cannot write " + path);
    if (size > 0 && std::fwrite(data, 1, size, f) != size) harness_failure("cannot write " + path);
    if (std::fclose(f) != 0) harness_failure("cannot close " + path);
}

inline void write_file(const std::string& path, std::string_view text) {
    write_file(path, text.data(), text.size());
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace sigstream_fuzz
