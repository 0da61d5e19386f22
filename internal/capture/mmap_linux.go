package capture

import "syscall"

// mapPopulate prefaults a window when it is mapped, in one system call,
// rather than page by page as the framing goroutine reads it.
const mapPopulate = syscall.MAP_POPULATE
