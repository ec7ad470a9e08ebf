#include "core/channels.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace sigstream {

namespace {
constexpr const char* kSubs[6] = {"C>A", "C>G", "C>T", "T>A", "T>C", "T>G"};
constexpr char kBases[4] = {'A', 'C', 'G', 'T'};

std::vector<std::string> make_labels(Context c) {
    std::vector<std::string> out;
    out.reserve(channel_count(c));
    switch (c) {
        case Context::SBS6:
            for (const char* s : kSubs) out.emplace_back(s);
            break;
        case Context::SBS96:
            for (char five : kBases)
                for (const char* s : kSubs)
                    for (char three : kBases) out.push_back(std::string{five} + "[" + s + "]" + three);
            break;
        case Context::SBS1536:
            for (char f1 : kBases)
                for (char f2 : kBases)
                    for (const char* s : kSubs)
                        for (char t1 : kBases)
                            for (char t2 : kBases)
                                out.push_back(std::string{f1, f2} + "[" + s + "]" + std::string{t1, t2});
            break;
    }
    return out;
}

const std::unordered_map<std::string_view, int>& label_map(Context c) {
    auto build = [](Context ctx) {
        std::unordered_map<std::string_view, int> m;
        const auto& labels = channel_labels(ctx);
        for (std::size_t i = 0; i < labels.size(); ++i) m.emplace(labels[i], static_cast<int>(i));
        return m;
    };
    static const std::unordered_map<std::string_view, int> m6 = build(Context::SBS6);
    static const std::unordered_map<std::string_view, int> m96 = build(Context::SBS96);
    static const std::unordered_map<std::string_view, int> m1536 = build(Context::SBS1536);
    return c == Context::SBS6 ? m6 : c == Context::SBS96 ? m96 : m1536;
}
}  // namespace

std::string_view context_name(Context c) {
    return c == Context::SBS6 ? "SBS6" : c == Context::SBS96 ? "SBS96" : "SBS1536";
}

std::optional<Context> parse_context(std::string_view s) {
    std::string lower(s);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (lower == "sbs6") return Context::SBS6;
    if (lower == "sbs96") return Context::SBS96;
    if (lower == "sbs1536") return Context::SBS1536;
    return std::nullopt;
}

const std::vector<std::string>& channel_labels(Context c) {
    static const std::vector<std::string> l6 = make_labels(Context::SBS6);
    static const std::vector<std::string> l96 = make_labels(Context::SBS96);
    static const std::vector<std::string> l1536 = make_labels(Context::SBS1536);
    return c == Context::SBS6 ? l6 : c == Context::SBS96 ? l96 : l1536;
}

int channel_index(Context c, std::string_view label) {
    const auto& m = label_map(c);
    auto it = m.find(label);
    return it == m.end() ? -1 : it->second;
}

}  // namespace sigstream
