#include "core/matrix.h"

namespace sigstream {

std::string signature_name(Context context, int index) {
    std::string letters;
    for (long long n = static_cast<long long>(index) + 1; n > 0; n = (n - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    return std::string(context_name(context)) + letters;
}

SignatureSet renormalised(SignatureSet s) {
    for (Eigen::Index j = 0; j < s.values.cols(); ++j) {
        const double sum = s.values.col(j).sum();
        if (sum > 0) s.values.col(j) /= sum;
    }
    return s;
}

}  // namespace sigstream
