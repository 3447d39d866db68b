// SPDX-License-Identifier: Apache-2.0
// CVPlat: the few glibc extensions Swift cannot import (eventfd, epoll, memfd,
// prctl, SCM_RIGHTS helpers). Only PlatformSys imports this module.
#ifndef CVPLAT_H
#define CVPLAT_H
#ifndef __linux__
#error "vlm runs on Linux only"
#endif

#include <stdint.h>
#include <sys/types.h>

/// The running kernel's page size, as the shim sees it.
long CVPlat_page_size(void);

#endif
