# ENGRAM_SANITIZE=address,undefined | thread: applied to every target in the build.
if(ENGRAM_SANITIZE)
  set(_san "-fsanitize=${ENGRAM_SANITIZE}")
  add_compile_options($<$<COMPILE_LANGUAGE:CXX,C>:${_san}> $<$<COMPILE_LANGUAGE:CXX,C>:-fno-omit-frame-pointer>)
  if(ENGRAM_SANITIZE MATCHES "undefined")
    add_compile_options($<$<COMPILE_LANGUAGE:CXX,C>:-fno-sanitize-recover=undefined>)
  endif()
  add_link_options(${_san})
endif()
if(ENGRAM_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 reports false -Wmaybe-uninitialized inside libstdc++ (std::function in <regex>) when
  # sanitizers are on; the same code is clean in the Release build, which keeps the warning.
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Wno-maybe-uninitialized>)
endif()
