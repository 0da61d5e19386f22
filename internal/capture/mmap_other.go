//go:build unix && !linux

package capture

const mapPopulate = 0
