/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and messages of the one error space (include/rproc/error.h). */
#include "rproc/error.h"

const char *rproc_err_name(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
#define RPROC_ERR_NAME(code, msg)                                              \
	case code:                                                             \
		return #code;
		RPROC_ERRNO_MAP(RPROC_ERR_NAME)
#undef RPROC_ERR_NAME
	case 0:
		return "OK";
	default:
		return "E?";
	}
}

const char *rproc_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
#define RPROC_ERR_MSG(code, msg)                                               \
	case code:                                                             \
		return msg;
		RPROC_ERRNO_MAP(RPROC_ERR_MSG)
#undef RPROC_ERR_MSG
	case 0:
		return "success";
	default:
		return "unknown error";
	}
}
