# engram_target_defaults(<target>): warnings (and -Werror when ENGRAM_WERROR) for our own targets.
function(engram_target_defaults target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX,C>:-Wall -Wextra -Wshadow>
    # g++ 12 flags designated initializers that leave members to their default initializers.
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-missing-field-initializers>
    $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>
    $<$<AND:$<BOOL:${ENGRAM_WERROR}>,$<COMPILE_LANGUAGE:CXX,C>>:-Werror>)
endfunction()
