// Consensus of replicate fits at one K (docs/choosing-k.md): the R × K replicate signatures are clustered into K
// groups under cosine distance, each replicate giving exactly one signature to each group.
//
//  1. Reference: the replicate whose signatures agree best with all the others — the largest sum, over
//     the other replicates, of the Hungarian-matched total cosine (ties: the lowest index).
//  2. Centroids start as the reference's signatures. Each replicate's signatures are matched one-to-one
//     to the centroids (Hungarian, maximising total cosine); each centroid becomes the mean of its
//     members; repeated until no assignment changes (at most 100 rounds).
//  3. Stability of a cluster = the mean silhouette of its members, with distance 1 − cosine:
//     s = (b − a) / max(a, b), a = mean distance to the other members of its cluster, b = the smallest
//     mean distance to the members of another cluster (s = 0 when a = b = 0 or the cluster has one
//     member). With K = 1 there is no other cluster; stability is then the mean cosine between members
//     (0 with a single member).
//  4. Consensus signature = the members' mean, scaled to sum 1; medoid = the member with the smallest
//     total distance to the other members (ties within 1e-12: the lowest replicate).
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace sigstream {

struct ConsensusResult {
    Eigen::MatrixXd mean;                  // channels x K, columns sum to 1
    Eigen::MatrixXd medoid;                // channels x K, columns sum to 1
    Eigen::VectorXd stability;             // per cluster: mean silhouette
    Eigen::VectorXd mean_member_cosine;    // per cluster: mean cosine of the members to the consensus
    std::vector<std::vector<int>> member;  // member[r][c] = the column of replicate r in cluster c
    int reference = 0;                     // the replicate the centroids started from
    int rounds = 0;                        // assignment rounds until stable
};

// `replicates[r]` is replicate r's W (channels x K, columns sum to 1). All must have the same shape;
// at least one replicate.
ConsensusResult consensus_signatures(const std::vector<Eigen::MatrixXd>& replicates);

}  // namespace sigstream
