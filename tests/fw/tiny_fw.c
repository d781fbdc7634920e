/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny firmware for the fw_format_elf_real test: compiled with the real
 * cross toolchains (Cortex-M4 and RV32) so the ELF reader is checked against
 * what linkers really emit, not only against images the tests make up.  It
 * carries a Linux-style resource table (carveout, vdev with two vrings,
 * trace) in ".resource_table", written out field by field the way firmware
 * does.  Never run.
 */
#include <stdint.h>

struct tiny_table {
	uint32_t ver, num, reserved[2];
	uint32_t offset[3];
	/* carveout */
	uint32_t c_type, c_da, c_pa, c_len, c_flags, c_reserved;
	char c_name[32];
	/* vdev + 2 vrings + 4 bytes of config */
	uint32_t v_type, v_id, v_notifyid, v_dfeatures, v_gfeatures;
	uint32_t v_config_len;
	uint8_t v_status, v_num_of_vrings, v_reserved[2];
	uint32_t vr0_da, vr0_align, vr0_num, vr0_notifyid, vr0_pa;
	uint32_t vr1_da, vr1_align, vr1_num, vr1_notifyid, vr1_pa;
	uint8_t v_config[4];
	/* trace */
	uint32_t t_type, t_da, t_len, t_reserved;
	char t_name[32];
};

static char trace_buf[256];

#define OFF(f) ((uint32_t) __builtin_offsetof(struct tiny_table, f))

__attribute__((section(".resource_table"), used))
const struct tiny_table resource_table = {
	.ver = 1,
	.num = 3,
	.offset = {OFF(c_type), OFF(v_type), OFF(t_type)},
	.c_type = 0,
	.c_da = 0x20010000,
	.c_pa = 0xFFFFFFFF,
	.c_len = 0x8000,
	.c_name = "heap",
	.v_type = 3,
	.v_id = 7,
	.v_dfeatures = 1,
	.v_config_len = 4,
	.v_num_of_vrings = 2,
	.vr0_da = 0xFFFFFFFF,
	.vr0_align = 16,
	.vr0_num = 8,
	.vr1_da = 0xFFFFFFFF,
	.vr1_align = 16,
	.vr1_num = 8,
	.t_type = 2,
	.t_da = 0, /* the trace buffer's address is not a constant here */
	.t_len = sizeof(trace_buf),
	.t_name = "trace0",
};

volatile uint32_t counter;
uint32_t bss_words[64];

int main(void)
{
	for (;;) {
		trace_buf[counter & 0xff] = (char)counter;
		bss_words[counter & 63]++;
		counter++;
	}
}
