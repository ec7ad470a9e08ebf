// `sigstream consensus`: the gather step of a scattered extraction — the consensus, select and refine stages on
// the fits of the shards given, into the run folder the one-process run writes (byte-identical files).
#include "cli/command.h"

namespace sigstream::cli {

int consensus_main(int argc, char** argv) {
    Command c;
    c.name = "consensus";
    c.synopsis = "--out-dir D [options] SHARD…";
    c.description =
        "Merges extraction shards into one run folder: the consensus signatures of every K, the choice of K\n"
        "and the chosen K's files, exactly as `sigstream extract` writes them in one process. The shards must\n"
        "come from the same matrix, backend, parameters, seed, --replicates and sigstream version, and\n"
        "together hold every replicate 0 <= i < R of every K exactly once; `extract --replicate-range A:B\n"
        "--shard-out F` writes them. The choice of K can be redone here with other thresholds.";
    c.stages = {"consensus", "select", "refine"};
    c.positional = "shards";
    c.output = Output::run_folder;
    c.done = [](const Workspace& ws, const Pipeline&, double, const std::string& dir) {
        return std::to_string(ws.replicates->shards.size()) + " shard(s), " +
               std::to_string(ws.replicates->fits.size()) + " fits: " + ws.extraction->choice->reason + " -> " + dir;
    };
    return guarded("consensus", [&] { return run_command(c, argc, argv); });
}

}  // namespace sigstream::cli
