// SPDX-License-Identifier: Apache-2.0
import VLMCommands

// The shipped `vlm`: its commands live in `VLMCommands` (shared with the
// test-only `vlm-testkit`).
VLM.main()
