// The instruction-set level sigstream's vector kernels run at (abi/sigstream_isa.h): the CPU's highest, or the
// one SIGSTREAM_ISA names.
#pragma once

namespace sigstream {

// The level (SIGSTREAM_ISA_GENERIC … SIGSTREAM_ISA_V4). UsageError when SIGSTREAM_ISA names no level or one this
// CPU lacks, so a run stops before any work.
int kernel_level();

}  // namespace sigstream
