# The CTest test fuzz.regressions: replays every file of tests/fuzz/regressions/<target>/ through its target built
# without libFuzzer (<target>_replay: the target's source + replay_main.cpp, compiled like the rest of the build, so
# under AddressSanitizer in the ASan build). Fails when a replay fails: a crash, a sanitizer report, or an exception
# other than sigstream::Error escaping the target.
#
#   cmake -DREPLAYS="fuzz_vcf=/path/fuzz_vcf_replay|fuzz_fai=/path/fuzz_fai_replay|..." \
#         -DREGRESSIONS=tests/fuzz/regressions -DWORK_DIR=build/tests/fuzz_regressions -P run_regressions.cmake
if(NOT DEFINED REPLAYS OR NOT DEFINED REGRESSIONS OR NOT DEFINED WORK_DIR)
  message(FATAL_ERROR "run_regressions.cmake needs -DREPLAYS=, -DREGRESSIONS= and -DWORK_DIR=")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
string(REPLACE "|" ";" _replays "${REPLAYS}")
set(_failed)
set(_total 0)
foreach(_pair ${_replays})
  string(FIND "${_pair}" "=" _eq)
  string(SUBSTRING "${_pair}" 0 ${_eq} _target)
  math(EXPR _after "${_eq} + 1")
  string(SUBSTRING "${_pair}" ${_after} -1 _exe)
  file(GLOB _inputs LIST_DIRECTORIES false ${REGRESSIONS}/${_target}/*)
  list(LENGTH _inputs _n)
  if(_n EQUAL 0)
    continue()
  endif()
  math(EXPR _total "${_total} + ${_n}")
  # Each target gets its own scratch folder (TMPDIR), removed with WORK_DIR by the next run.
  file(MAKE_DIRECTORY ${WORK_DIR}/${_target})
  set(ENV{TMPDIR} ${WORK_DIR}/${_target})
  execute_process(COMMAND ${_exe} ${REGRESSIONS}/${_target} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message("${_target}: replaying ${_n} input(s) failed (${_rc}):\n${_out}${_err}")
    list(APPEND _failed ${_target})
  else()
    message("${_target}: ${_n} input(s) replayed without a finding")
  endif()
endforeach()
if(_failed)
  message(FATAL_ERROR "fuzz regressions failing in: ${_failed}")
endif()
message("fuzz regressions: ${_total} input(s), all fine")
