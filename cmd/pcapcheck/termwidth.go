package main

import (
	"io"
	"os"
	"strconv"

	"github.com/mattn/go-isatty"
	"golang.org/x/sys/unix"
)

// terminalWidth is the width in columns of the terminal w writes to; 0 when
// w is not a terminal (a file, a pipe), so that tables stay whole for a
// program reading them. $COLUMNS, when set to a number, says it instead:
// tests and a user whose terminal misreports use it.
func terminalWidth(w io.Writer, getenv func(string) string) int {
	f, ok := w.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return 0
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return 0
	}
	return int(ws.Col)
}
