package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pcapcheck/pcapcheck/internal/testenv"
)

// TestTerminalWidth: tables are fitted only on a terminal; a file or a pipe
// gets them whole. COLUMNS says the width when set.
func TestTerminalWidth(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer file.Close()
	env := func(columns string) func(string) string {
		return func(k string) string {
			if k == "COLUMNS" {
				return columns
			}
			return ""
		}
	}
	assert.Zero(t, terminalWidth(file, env("100")), "a file is no terminal")
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		testenv.Missing(t, "no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	assert.Equal(t, 100, terminalWidth(tty, env("100")))
	assert.GreaterOrEqual(t, terminalWidth(tty, env("")), 0)
}
