// `sigstream backends`: the extraction backends found on the plugin search path, their parameters, and the
// plugins that were refused (and why).
#include <algorithm>
#include <iostream>

#include "abi/sigstream_isa.h"
#include "backend/registry.h"
#include "cli/command.h"
#include "core/errors.h"
#include "core/isa.h"

namespace sigstream::cli {

namespace {

int list_backends(int argc, char** argv) {
    const ParsedArgs args = parse_args("backends", {}, false, argc, argv);
    if (args.help) {
        std::cout
            << "Usage: sigstream backends\n\n"
               "Lists the signature-extraction backends: each plugin's name (for `sigstream extract --backend`),\n"
               "version, description, objective, the file it came from, and its parameters with their defaults\n"
               "(set them with `--param NAME.KEY=VALUE`). Plugins that cannot be used are reported as warnings.\n\n"
               "Plugins are the `*.so` files in the folders of SIGSTREAM_PLUGIN_PATH (colon-separated; an empty\n"
               "entry stands for the default folders). Unset, the defaults are searched: `<folder of the sigstream\n"
               "binary>/plugins`, `<folder of the binary>/../lib/sigstream/plugins` and the install folder.\n"
               "The first plugin found with a name wins.\n\n"
               "The backends' kernels run at the highest instruction-set level the CPU has (generic, v2, v3 = AVX2,\n"
               "v4 = AVX-512), with the same results at every level; SIGSTREAM_ISA=generic|v2|v3|v4 forces a\n"
               "lower one (for measurements).\n";
        return 0;
    }
    const int level = kernel_level();
    const std::vector<std::string> folders = BackendRegistry::search_path();
    const BackendRegistry registry(folders);
    std::ostream& out = std::cout;
    if (registry.backends().empty()) out << "No backends found.\n";
    bool first = true;
    for (const Backend& b : registry.backends()) {
        if (!first) out << "\n";
        first = false;
        out << b.name() << " " << (b.version().empty() ? "(no version)" : b.version()) << "\n";
        if (!b.description().empty()) out << "  " << b.description() << "\n";
        out << "  objective: " << (b.objective().empty() ? "(not described)" : b.objective()) << "\n";
        out << "  file:      " << b.origin() << "\n";
        if (b.params().empty()) {
            out << "  parameters: none\n";
            continue;
        }
        out << "  parameters (--param " << b.name() << ".KEY=VALUE):\n";
        std::size_t width = 0;
        for (const auto& prm : b.params()) width = std::max(width, prm.key.size() + 3 + prm.default_value.size());
        for (const auto& prm : b.params()) {
            std::string head = prm.key + " = " + prm.default_value;
            head.resize(std::max(width, head.size()), ' ');
            out << "    " << head << "  " << prm.description << "\n";
        }
    }
    out << "\nKernels: " << sigstream_isa_name(level) << " (" << sigstream_isa_description(level) << ")";
    if (level != sigstream_isa_cpu())
        out << ", forced by SIGSTREAM_ISA; this CPU runs up to " << sigstream_isa_name(sigstream_isa_cpu());
    else
        out << ", the highest level this CPU runs";
    out << "\nPlugin folders searched, in order:";
    for (const auto& f : folders) out << "\n  " << f;
    out << "\n";
    for (const auto& problem : registry.problems()) warn("backends", "plugin refused: " + problem);
    return 0;
}

}  // namespace

int backends_main(int argc, char** argv) {
    return guarded("backends", [&] { return list_backends(argc, argv); });
}

}  // namespace sigstream::cli
