# The embedding contract, on an installed copy: installs the build into a scratch prefix, builds
# tests/install/consumer against it twice — with find_package(sigstream) and with pkg-config — runs both, and
# checks that the files each writes from its in-memory pipeline equal, byte for byte (all but metadata.toml), the
# run folder the installed `sigstream run` writes for the same pipeline. Invoked by CTest with SOURCE_DIR,
# BUILD_DIR and WORK_DIR.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
function(run_or_fail what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ${out}")
endfunction()

run_or_fail("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f bin/sigstream include/sigstream/sigstream.h include/sigstream/pipeline/stages.h
          include/sigstream/abi/sigstream_backend.h lib/libsigstream.a lib/pkgconfig/sigstream.pc
          lib/cmake/sigstream/sigstreamConfig.cmake lib/sigstream/plugins/nmf.so
          share/sigstream/cosmic/COSMIC_v3.4_SBS_GRCh37.txt)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# 1. find_package(sigstream)
run_or_fail("configuring the consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/build
            -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run_or_fail("building the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
# 2. pkg-config, by hand
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs sigstream OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs sigstream failed")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run_or_fail("building the consumer with pkg-config" c++ -std=c++20 -O1 -o ${WORK_DIR}/consumer_pc
            ${SOURCE_DIR}/tests/install/consumer/main.cpp ${flags})

# The installed plugins and data, as a user of the installed package has them.
set(env SIGSTREAM_PLUGIN_PATH=${prefix}/lib/sigstream/plugins SIGSTREAM_DATA_DIR=${prefix}/share/sigstream)
set(example ${SOURCE_DIR}/data/example)
run_or_fail("the consumer (find_package)" ${CMAKE_COMMAND} -E env ${env} ${WORK_DIR}/build/consumer ${example}
            ${WORK_DIR}/embedded)
run_or_fail("the consumer (pkg-config)" ${CMAKE_COMMAND} -E env ${env} ${WORK_DIR}/consumer_pc ${example}
            ${WORK_DIR}/embedded_pc)
set(EXAMPLE ${example})
configure_file(${SOURCE_DIR}/tests/install/pipeline.toml.in ${WORK_DIR}/pipeline.toml @ONLY)
run_or_fail("sigstream run" ${CMAKE_COMMAND} -E env ${env} ${prefix}/bin/sigstream run --quiet
            ${WORK_DIR}/pipeline.toml --out-dir ${WORK_DIR}/run)

# Every file of the run folder but metadata.toml, byte for byte.
file(GLOB_RECURSE expected RELATIVE ${WORK_DIR}/run ${WORK_DIR}/run/*)
list(REMOVE_ITEM expected metadata.toml)
list(LENGTH expected n)
if(n LESS 20)
  message(FATAL_ERROR "the run folder holds only ${n} files")
endif()
foreach(consumer embedded embedded_pc)
  file(GLOB_RECURSE got RELATIVE ${WORK_DIR}/${consumer} ${WORK_DIR}/${consumer}/*)
  list(REMOVE_ITEM got metadata.toml)
  if(NOT got STREQUAL expected)
    message(FATAL_ERROR "${consumer} wrote other files than sigstream run:\n${got}\nvs\n${expected}")
  endif()
  foreach(f ${expected})
    file(SHA256 ${WORK_DIR}/run/${f} a)
    file(SHA256 ${WORK_DIR}/${consumer}/${f} b)
    if(NOT a STREQUAL b)
      message(FATAL_ERROR "${consumer}/${f} differs from the file sigstream run wrote")
    endif()
  endforeach()
endforeach()
message(STATUS "the embedded pipelines equal sigstream run: ${n} files")
