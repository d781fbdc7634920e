# The devicetree board parser (src/drivers/vsoc/board.c), built into the test
# on its own: it needs only libfdt and the core library, not rproc_vsoc.
#   vsoc_board_parse  the shipped and test boards parse to the right values
#   vsoc_board_bad    one mutation of a good blob per binding rule: -EINVAL
#                     and a message naming the node and the property
#   vsoc_board_fuzz   random byte flips / lengths: 0 or an error, no crash
find_library(FDT_LIB fdt REQUIRED)
find_path(FDT_INCLUDE libfdt.h REQUIRED)
find_program(DTC dtc REQUIRED)

# Every board that must parse: the shipped ones, the integration tests' and
# this test's own.
file(GLOB VB_DTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/boards/*.dts
     ${CMAKE_CURRENT_SOURCE_DIR}/integration/*.dts
     ${CMAKE_CURRENT_SOURCE_DIR}/boards/*.dts)
set(VB_DIR ${CMAKE_CURRENT_BINARY_DIR}/board_test)
set(VB_DTBS)
foreach(dts ${VB_DTS})
  get_filename_component(dir ${dts} DIRECTORY)
  get_filename_component(dir ${dir} NAME)
  get_filename_component(name ${dts} NAME_WE)
  set(out ${VB_DIR}/${dir}-${name}.dtb)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VB_DIR}
    COMMAND ${DTC} -I dts -O dtb -o ${out} ${dts}
    DEPENDS ${dts}
    COMMENT "dtc ${dir}/${name}.dts"
    VERBATIM)
  list(APPEND VB_DTBS ${out})
endforeach()
add_custom_target(vsoc_board_dtbs DEPENDS ${VB_DTBS})
string(REPLACE ";" ":" VB_ALL "${VB_DTBS}")

rproc_test(vsoc_board_parse test_board.c
           ${PROJECT_SOURCE_DIR}/src/drivers/vsoc/board.c LIBS ${FDT_LIB})
target_include_directories(vsoc_board_parse PRIVATE
                           ${PROJECT_SOURCE_DIR}/src/drivers/vsoc ${FDT_INCLUDE})
target_compile_definitions(vsoc_board_parse PRIVATE
                           VB_VSOC_DTB="${VB_DIR}/boards-vsoc.dtb"
                           VB_WIDE_DTB="${VB_DIR}/boards-wide.dtb"
                           VB_ALL_DTBS="${VB_ALL}")
add_dependencies(vsoc_board_parse vsoc_board_dtbs)
# The same executable runs the other groups (argument: the group).
add_test(NAME vsoc_board_bad COMMAND vsoc_board_parse bad)
add_test(NAME vsoc_board_fuzz COMMAND vsoc_board_parse fuzz)
set_tests_properties(vsoc_board_bad PROPERTIES TIMEOUT 60)
set_tests_properties(vsoc_board_fuzz PROPERTIES TIMEOUT 300)
