# Integration tests: real firmware (firmware/) on the virtual SoC through the
# core.  Boards: boards/*.dts and integration/*.dts.
file(GLOB VT_DTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/*.dts)
set(VT_BOARD_DIR ${CMAKE_CURRENT_BINARY_DIR}/boards)
rproc_dtb(vsoc_test_boards ${VT_BOARD_DIR} ${VT_DTS})

find_program(GDB_MULTIARCH gdb-multiarch REQUIRED)

# vsoc_itest(<name> <source> [TIMEOUT s] [LABELS ...])
function(vsoc_itest name src)
  rproc_test(${name} ${CMAKE_CURRENT_SOURCE_DIR}/integration/${src}
             ${CMAKE_CURRENT_SOURCE_DIR}/integration/vsoc_test.c
             LIBS rproc_vsoc ${ARGN})
  target_include_directories(${name} PRIVATE
                             ${CMAKE_CURRENT_SOURCE_DIR}/integration
                             ${PROJECT_SOURCE_DIR}/firmware/include)
  target_compile_definitions(${name} PRIVATE
                             VT_FW_DIR="${RPROC_FIRMWARE_DIR}"
                             VT_BOARD_DIR="${VT_BOARD_DIR}"
                             VT_MAIN_BOARD_DIR="${RPROC_BOARD_DIR}")
  add_dependencies(${name} firmware boards vsoc_test_boards)
endfunction()

vsoc_itest(vsoc_samples test_samples.c TIMEOUT 120 LABELS tsan)
vsoc_itest(vsoc_crash test_crash.c TIMEOUT 240 LABELS tsan)
vsoc_itest(vsoc_attach test_attach.c TIMEOUT 120 LABELS tsan)
vsoc_itest(vsoc_rpmsg test_rpmsg.c TIMEOUT 180 LABELS tsan)
# the alternative transport over the vsoc (tests/link has the rest)
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_link.c)
  vsoc_itest(vsoc_link test_link.c TIMEOUT 120 LABELS tsan)
endif()
