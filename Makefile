# pcapcheck: the two commands a new user runs are `make demo` and `make test`.
# Each installs the Debian packages it needs when run as root, or stops with one
# line naming what to install.

GO       ?= go
BIN      := bin/pcapcheck
BOOKINFO := fixtures/bookinfo
# LAB_RUN is the lab's committed run: real kernel traffic, captured inside
# my-shell's namespace too (make lab-fixtures writes it).
LAB_RUN  := fixtures/lab/testdata/run

# Builds and tests use Intel's ISA-L to read gzip captures (internal/capture/isal)
# once libisal-dev is installed, which deps-build does; without it, gzip is
# read in Go. Evaluated at each use, so that what deps-build installs counts.
export GOFLAGS = $(shell test -e /usr/include/isa-l/igzip_lib.h && echo -tags=isal)

# need WHAT,PKG: make sure WHAT (a command, or a file when it starts with /)
# exists, installing Debian package PKG as root; otherwise stop with one line.
define need
	@if case "$(1)" in /*) test -e "$(1)";; *) command -v "$(1)" >/dev/null 2>&1;; esac; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing $(2) (for $(1))"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; } || exit 1; \
	else \
	  echo "missing $(1): install it with: sudo apt-get install -y $(2)"; exit 1; \
	fi
endef

.PHONY: all build demo test deps-build deps-test vet clean

all: build

build: deps-build plugin
	$(GO) build -o $(BIN) ./cmd/pcapcheck

# demo: the seed's before/after, from the pcap fixtures and from the seed's own
# tcpdump text (Shell 4 and Shell 6), then the node-wide capture with both
# kube-proxy legs.
demo: build
	@echo '$$ pcapcheck compare before/veth.pcap after/veth.pcap   (captures on my-shell'"'"'s veth)'
	@cd $(BOOKINFO) && ../../$(BIN) compare before/veth.pcap after/veth.pcap \
	  --inventory inventory \
	  --before-inventory before/shell3-istioctl.txt --after-inventory after/shell5-istioctl.txt
	@echo
	@echo '$$ pcapcheck compare before/shell4-tcpdump.txt after/shell6-tcpdump.txt   (the seed'"'"'s own tcpdump text)'
	@cd $(BOOKINFO) && ../../$(BIN) compare before/shell4-tcpdump.txt after/shell6-tcpdump.txt \
	  --inventory inventory \
	  --before-inventory before/shell3-istioctl.txt --after-inventory after/shell5-istioctl.txt
	@echo
	@echo '$$ pcapcheck analyze after/any.pcap   (tcpdump -i any on the node: both legs of kube-proxy'"'"'s DNAT)'
	@cd $(BOOKINFO) && ../../$(BIN) analyze after/any.pcap --inventory inventory
	@echo
	@echo '$$ pcapcheck compare before/pod-any.pcap after/pod-any.pcap   (tcpdump -i any inside my-shell, as kubectl debug takes it: the lab'"'"'s real kernel traffic)'
	@cd $(LAB_RUN) && ../../../../$(BIN) compare before/pod-any.pcap after/pod-any.pcap \
	  --inventory inventory \
	  --before-inventory before/istioctl.txt --after-inventory after/istioctl.txt
	@echo
	$(demo_html)


deps-build:
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing go: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	$(call need,/usr/include/pcap/pcap.h,libpcap-dev)
	$(call need,/usr/include/isa-l/igzip_lib.h,libisal-dev)

deps-test: deps-build
	$(call need,tcpdump,tcpdump)
	$(call need,ip,iproute2)
	$(call need,curl,curl)
	$(call need,iptables,iptables)

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	@# A built executable is not source: go build in a main package's
	@# directory writes one there, and twice one was committed by mistake.
	@out=$$(git ls-files -z 2>/dev/null | xargs -0 -r sh -c 'elf=$$(printf "\177ELF"); for f; do [ -f "$$f" ] && [ "$$(head -c4 "$$f")" = "$$elf" ] && echo "$$f"; done; true' sh); \
	  if [ -n "$$out" ]; then echo "executables tracked by git (git rm --cached them): $$out"; exit 1; fi
	$(GO) vet ./...

test: deps-test deps-html deps-oracle deps-kube vet
	$(GO) test ./...
	$(MAKE) plugin-test
	@echo "capture again, reading gzip in Go (a build without ISA-L, as go install makes):"
	GOFLAGS= $(GO) test ./internal/capture/...
	$(GO) run ./fixtures/gen -check

clean:
	rm -rf bin

# Further targets (lab, bench, fuzz...) live in mk/*.mk, one file per topic;
# included last so that `all` stays the default target.
include $(wildcard mk/*.mk)
