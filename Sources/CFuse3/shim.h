// SPDX-License-Identifier: Apache-2.0
// libfuse 3.14 (Debian bookworm) low-level API.
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
