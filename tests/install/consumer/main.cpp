// Counts a tiny VCF in-process with the installed sigstream library and checks the answer.
#include <sigstream.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer WORKDIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    std::ofstream(dir + "/g.fa") << ">chr1\nACGTACGTTACGGATCCAGTAAACGTTTGCA\n";
    std::ofstream(dir + "/t.vcf") << "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                                     "chr1\t3\t.\tG\tA\t.\tPASS\t.\n"   // C-G-T, reverse complement A[C>T]G
                                     "chr1\t6\t.\tC\tT\t.\tPASS\t.\n";  // A-C-G: A[C>T]G
    try {
        sigstream::Reference ref(dir + "/g.fa");
        sigstream::CountResult r = sigstream::count_mutations(ref, {{dir + "/t.vcf", "tumour"}}, {});
        int ch = sigstream::channel_index(sigstream::Context::SBS96, "A[C>T]G");
        if (r.sbs96.samples.size() != 1 || r.sbs96.samples[0] != "tumour" || r.sbs96.at(ch, 0) != 2) {
            std::cerr << "unexpected counts\n";
            return 1;
        }
        std::ostringstream out;
        sigstream::write_count_matrix(r.sbs6, out);
        if (out.str().rfind("MutationType\ttumour\nC>A\t0\n", 0) != 0) {
            std::cerr << "unexpected matrix text\n" << out.str();
            return 1;
        }
    } catch (const sigstream::Error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    if (!std::filesystem::is_directory(CONSUMER_DATA_DIR)) {
        std::cerr << "installed data folder missing: " << CONSUMER_DATA_DIR << "\n";
        return 1;
    }
    std::cout << "consumer ok\n";
    return 0;
}
