// SPDX-License-Identifier: Apache-2.0
#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif
#include "CVPlat.h"
#include <unistd.h>

long CVPlat_page_size(void) { return sysconf(_SC_PAGESIZE); }
