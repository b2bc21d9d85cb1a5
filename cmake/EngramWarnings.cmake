# engram_target_defaults(<target>): warnings (and -Werror when ENGRAM_WERROR) for our own targets.
function(engram_target_defaults target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX,C>:-Wall -Wextra -Wshadow>
    # g++ 12 flags designated initializers that leave members to their default initializers.
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-missing-field-initializers>
    # g++ 12 at -O3 reports false -Wrestrict inside std::string concatenation (GCC PR 105329).
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
    $<$<AND:$<BOOL:${ENGRAM_WERROR}>,$<COMPILE_LANGUAGE:CXX,C>>:-Werror>)
endfunction()
