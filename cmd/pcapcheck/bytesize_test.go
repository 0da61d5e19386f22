package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    byteSize
		wantErr bool
	}{
		{in: "33554432", want: 32 << 20},
		{in: "32MiB", want: 32 << 20},
		{in: "32mib", want: 32 << 20},
		{in: "32M", want: 32 << 20},
		{in: "4096KiB", want: 4 << 20},
		{in: "1GiB", want: 1 << 30},
		{in: "512B", want: 512},
		{in: " 2 MiB ", want: 2 << 20},
		{in: "", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "-1MiB", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "32MB", wantErr: true},        // decimal units are not taken: MiB or M
		{in: "99999999GiB", wantErr: true}, // past 1 TiB
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseByteSize(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "KiB, MiB or GiB")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestByteSizeString(t *testing.T) {
	for in, want := range map[byteSize]string{32 << 20: "32MiB", 1 << 30: "1GiB", 4096: "4KiB", 1000: "1000", 0: "0"} {
		assert.Equal(t, want, in.String())
	}
}
