#include "io/run_tsv.h"

namespace sigstream {

void write_exposures(const std::vector<std::string>& samples, const std::vector<std::string>& signatures,
                     const Eigen::MatrixXd& exposures, std::ostream& out) {
    std::string line = "Samples";
    for (const auto& s : signatures) line += "\t" + s;
    out << line << "\n";
    for (std::size_t j = 0; j < samples.size(); ++j) {
        line = samples[j];
        for (Eigen::Index s = 0; s < exposures.rows(); ++s)
            line += "\t" + exact_number(exposures(s, static_cast<Eigen::Index>(j)));
        out << line << "\n";
    }
}

void write_sample_stats(const std::vector<SampleStats>& stats, std::ostream& out) {
    out << "Sample\tTotal\tCosine\tL1_pct\tL2_pct\tKL\n";
    for (const auto& s : stats)
        out << s.sample << "\t" << exact_number(s.total) << "\t" << exact_number(s.cosine) << "\t"
            << exact_number(s.l1_pct) << "\t" << exact_number(s.l2_pct) << "\t" << exact_number(s.kl) << "\n";
}

}  // namespace sigstream
