# Turn `nm` output into a C header: one #define <PREFIX><symbol> per symbol.
# cmake -DNM=<nm> -DELF=<elf> -DOUT=<header> -DPREFIX=<prefix> -P syms.cmake
execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} ${ELF} failed: ${rc}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(h "/* Generated from ${ELF} by syms.cmake: do not edit. */\n")
foreach(l IN LISTS lines)
  if(l MATCHES "^([0-9a-fA-F]+) [tTrRdDbB] ([A-Za-z_][A-Za-z0-9_]*)$")
    string(APPEND h "#define ${PREFIX}${CMAKE_MATCH_2} 0x${CMAKE_MATCH_1}u\n")
  endif()
endforeach()
file(WRITE ${OUT} "${h}")
