package main

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag holding a size in bytes, written as a whole number
// with an optional binary unit: 33554432, 32768KiB, 32MiB, 1GiB (K, M and G
// are the same units).
type byteSize int

// byteUnits are the units a byteSize takes, longest first so that "KiB" is
// not read as "B".
var byteUnits = []struct {
	suffix string
	shift  uint
}{
	{"kib", 10}, {"mib", 20}, {"gib", 30}, {"k", 10}, {"m", 20}, {"g", 30}, {"b", 0},
}

// parseByteSize reads a size such as "32MiB"; the error lists the forms it
// takes.
func parseByteSize(s string) (byteSize, error) {
	num, shift := strings.ToLower(strings.TrimSpace(s)), uint(0)
	for _, u := range byteUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, shift = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.shift
			break
		}
	}
	n, err := strconv.ParseUint(num, 10, 63)
	if err != nil || n > 1<<40>>shift {
		return 0, fmt.Errorf("%q is not a size: write a whole number of bytes, or one with a unit: KiB, MiB or GiB (e.g. 32MiB)", s)
	}
	return byteSize(n << shift), nil
}

// String writes the size in the largest unit that divides it.
func (b byteSize) String() string {
	for _, u := range []struct {
		name  string
		shift uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if b > 0 && b%(1<<u.shift) == 0 {
			return strconv.Itoa(int(b>>u.shift)) + u.name
		}
	}
	return strconv.Itoa(int(b))
}

func (b *byteSize) Set(s string) error {
	v, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = v
	return nil
}

func (b *byteSize) Type() string { return "size" }
