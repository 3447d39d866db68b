// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport
import Testing

/// Every test that mounts, one at a time.
///
/// Serialized on purpose: with `auto_unmount`, libfuse 3.14 starts a `fusermount3`
/// watcher per mount that lives as long as this process and inherits every descriptor
/// not marked close-on-exec, such as the output pipes of a child process another test is
/// running; that test would then wait forever for end of file.
@Suite(.serialized, .enabled(if: FUSEAvailability.shouldRun))
struct FUSEMountTests {}
