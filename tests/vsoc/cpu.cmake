# The emulated cores (src/drivers/vsoc/cpu*.c) against small assembly test
# programs cross-compiled here for both architectures.  The cpu sources are
# compiled into the test itself (not through rproc_vsoc) so the test only
# depends on them, librproc (diag, log), unicorn and pthreads.
find_library(UNICORN_LIB unicorn REQUIRED)
find_path(UNICORN_INCLUDE unicorn/unicorn.h REQUIRED)
find_program(CPU_FW_ARM_CC arm-none-eabi-gcc)
find_program(CPU_FW_RV32_CC riscv64-unknown-elf-gcc)
if(NOT CPU_FW_ARM_CC OR NOT CPU_FW_RV32_CC)
  message(WARNING "vsoc_cpu tests: cross compilers missing, not built")
  return()
endif()

set(CPU_FW_SRC ${CMAKE_CURRENT_SOURCE_DIR}/cpu_fw)
set(CPU_FW_OUT ${CMAKE_CURRENT_BINARY_DIR}/cpu_fw)
set(CPU_SRC ${PROJECT_SOURCE_DIR}/src/drivers/vsoc)

# cpu_fw(<name> <arch: arm|rv32> <link address> <source> [extra deps...])
# builds cpu_fw/<name>.elf, <name>.bin (raw image from the link address)
# and <name>_syms.h (#define <NAME>_<symbol> <address>).
function(cpu_fw name arch base src)
  if(arch STREQUAL "arm")
    set(cc arm-none-eabi-gcc)
    set(tool arm-none-eabi-)
    set(flags -mcpu=cortex-m4 -mthumb -Wl,-e,${base})
  else()
    set(cc riscv64-unknown-elf-gcc)
    set(tool riscv64-unknown-elf-)
    set(flags -march=rv32imac_zicsr -mabi=ilp32)
  endif()
  string(TOUPPER ${name} prefix)
  set(elf ${CPU_FW_OUT}/${name}.elf)
  set(bin ${CPU_FW_OUT}/${name}.bin)
  set(syms ${CPU_FW_OUT}/${name}_syms.h)
  add_custom_command(
    OUTPUT ${elf} ${bin} ${syms}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CPU_FW_OUT}
    COMMAND ${cc} ${flags} -nostdlib -ffreestanding -Wl,-Ttext=${base}
            -Wl,--build-id=none -o ${elf} ${CPU_FW_SRC}/${src}
    COMMAND ${tool}objcopy -O binary ${elf} ${bin}
    COMMAND ${CMAKE_COMMAND} -DNM=${tool}nm -DELF=${elf} -DOUT=${syms}
            -DPREFIX=${prefix}_ -P ${CPU_FW_SRC}/syms.cmake
    DEPENDS ${CPU_FW_SRC}/${src} ${CPU_FW_SRC}/syms.cmake ${ARGN}
    COMMENT "Cross-compiling cpu_fw/${src}"
    VERBATIM)
endfunction()

cpu_fw(arm_test arm 0x0 arm_test.S)
cpu_fw(arm_reload_a arm 0x0 arm_reload_a.S)
cpu_fw(arm_reload_b arm 0x0 arm_reload_b.S ${CPU_FW_SRC}/arm_reload_a.S)
cpu_fw(rv32_test rv32 0x80000000 rv32_test.S)
cpu_fw(rv32_reload_a rv32 0x80000000 rv32_reload_a.S)
cpu_fw(rv32_reload_b rv32 0x80000000 rv32_reload_b.S
       ${CPU_FW_SRC}/rv32_reload_a.S)
add_custom_target(vsoc_cpu_fw DEPENDS
  ${CPU_FW_OUT}/arm_test_syms.h ${CPU_FW_OUT}/arm_reload_a.bin
  ${CPU_FW_OUT}/arm_reload_b.bin ${CPU_FW_OUT}/rv32_test_syms.h
  ${CPU_FW_OUT}/rv32_reload_a.bin ${CPU_FW_OUT}/rv32_reload_b.bin)

add_executable(test_cpu ${CMAKE_CURRENT_SOURCE_DIR}/test_cpu.c
               ${CPU_SRC}/cpu.c ${CPU_SRC}/cpu_arm.c ${CPU_SRC}/cpu_rv32.c)
add_dependencies(test_cpu vsoc_cpu_fw)
target_include_directories(test_cpu PRIVATE ${CPU_SRC} ${CPU_FW_OUT}
                                            ${UNICORN_INCLUDE})
target_link_libraries(test_cpu PRIVATE rproc ${CMOCKA_LIB} ${UNICORN_LIB}
                                       Threads::Threads)
target_compile_options(test_cpu PRIVATE ${RPROC_WARNINGS})
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/test_cpu.c
                            PROPERTIES COMPILE_OPTIONS -Wno-missing-prototypes)
target_compile_definitions(test_cpu PRIVATE _GNU_SOURCE
                           CPU_FW_DIR="${CPU_FW_OUT}")

# One ctest per group of test_cpu.c (each runs both architectures).  speed
# compares loop speeds before and after a data-fault search (a hook left
# behind by the search once made every later run 3x slower): timing, so it
# runs in the optimised build only, never under a sanitizer.  The others are
# meaningful under ThreadSanitizer.
set(CPU_GROUPS config echo idle timer watchdog faults stop reload queue)
if(NOT RPROC_SANITIZE AND NOT RPROC_TSAN)
  list(APPEND CPU_GROUPS speed)
endif()
foreach(group ${CPU_GROUPS})
  add_test(NAME vsoc_cpu_${group} COMMAND test_cpu ${group})
  set_tests_properties(vsoc_cpu_${group} PROPERTIES TIMEOUT 60)
  if(NOT group STREQUAL "speed")
    set_tests_properties(vsoc_cpu_${group} PROPERTIES LABELS tsan)
  endif()
endforeach()
