# Performance (issue 6): how fast pcapcheck reads large captures, against
# the read limit (dd), tshark, and Go's compress/gzip.
#
#   make bench                 generate the captures (once) and print the table
#   make bench BENCH_RUNS=9    more runs per figure (medians are printed)
#   make bench-go              the Go benchmarks: decode, flow update, pipeline
#                              (fixtures/gen/big: each on the locality, random
#                              and -i any captures of 300,000 records), and
#                              each renderer at 20k flows
#   make bench-live            only the live-capture figure (root): the highest
#                              iperf3 rate pcapcheck live and tcpdump -w capture
#                              without loss (mk/bench-live.sh; BENCH_LIVE_RATES,
#                              BENCH_LIVE_SECONDS, and BENCH_LIVE_ARGS for live's
#                              flags, e.g. BENCH_LIVE_ARGS="--buffer-size 2MiB")
#
# The captures are written by fixtures/gen/big into $(BENCH_DIR), which git
# ignores; a capture is made again only when the generator changes. Their
# names carry their sizes, so changing a size below makes a new one.
# Numbers are medians over page-cache-warm files; run it on a quiet machine.

BENCH_DIR        ?= bin/bench
BENCH_RUNS       ?= 5
BENCH_RUNS_FLOWS ?= 3
BENCH_GEN        := $(BENCH_DIR)/big
BENCH_FLOOR      := $(BENCH_DIR)/floor
BENCH_INV        := $(BENCH_DIR)/inventory
BENCH_BIG        := $(BENCH_DIR)/big-3000000p-20000f.pcap
BENCH_SMALL      := $(BENCH_DIR)/small-300000p-2000f.pcap
BENCH_GZ         := $(BENCH_SMALL).gz
BENCH_FLOWS      := $(BENCH_DIR)/flows-4000000p-1000000f.pcap
# random-*: the generator's independent-style mode (every flow open at once,
# no handshakes, mid-stream payloads; see fixtures/gen/big -mode).
BENCH_RANDOM     := $(BENCH_DIR)/random-3000000p-20000f.pcap
BENCH_SMALL20K   := $(BENCH_DIR)/small-300000p-20000f.pcap
# any-*: the node-wide mode (tcpdump -i any: Linux cooked v2, every packet
# on the pod's veth and on eth0, kube-proxy's DNAT between them), as many
# records as the big capture.
BENCH_ANY        := $(BENCH_DIR)/any-3000000p-20000f.pcap
BENCH_CAPTURES   := $(BENCH_BIG) $(BENCH_SMALL) $(BENCH_GZ) $(BENCH_FLOWS) $(BENCH_RANDOM) $(BENCH_SMALL20K) $(BENCH_ANY)

.PHONY: bench bench-go bench-live deps-bench

deps-bench:
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing go: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	$(call need,/usr/bin/time,time)
	$(call need,gzip,gzip)
	$(call need,iperf3,iperf3)
	$(call need,tcpdump,tcpdump)
	$(call need,ip,iproute2)

bench: deps-bench build $(BENCH_FLOOR) $(BENCH_CAPTURES)
	@BENCH_RUNS=$(BENCH_RUNS) BENCH_RUNS_FLOWS=$(BENCH_RUNS_FLOWS) sh mk/bench.sh $(BIN) $(BENCH_GEN) $(BENCH_INV) \
	  $(BENCH_BIG) $(BENCH_SMALL) $(BENCH_GZ) $(BENCH_FLOWS) $(BENCH_RANDOM) $(BENCH_SMALL20K) $(BENCH_ANY) $(BENCH_FLOOR)

bench-live: deps-bench build
	@sh mk/bench-live.sh $(BIN)

$(BENCH_GEN): $(filter-out %_test.go,$(wildcard fixtures/gen/big/*.go))
	@mkdir -p $(BENCH_DIR)
	$(GO) build -o $@ ./fixtures/gen/big

# The naive loop of issue 15, printed beside the targets as this machine's
# floor (fixtures/floor).
$(BENCH_FLOOR): $(filter-out %_test.go,$(wildcard fixtures/floor/*.go))
	@mkdir -p $(BENCH_DIR)
	$(GO) build -o $@ ./fixtures/floor

# NAME-<packets>p-<flows>f.pcap, with the inventory that explains it, and a
# .info line saying what was written.
$(BENCH_DIR)/%.pcap: $(BENCH_GEN)
	@p=$$(echo '$*' | sed -E 's/.*-([0-9]+)p-([0-9]+)f$$/\1/'); f=$$(echo '$*' | sed -E 's/.*-([0-9]+)p-([0-9]+)f$$/\2/'); \
	  echo "generating $@ ($$p packets, $$f flows)"; \
	  mode=locality; case '$(notdir $*)' in random-*) mode=random;; any-*) mode=any;; esac; \
	  $(BENCH_GEN) -o $@ -packets $$p -flows $$f -mode $$mode -inventory $(BENCH_INV) > $@.info && cat $@.info

$(BENCH_GZ): $(BENCH_SMALL)
	gzip -c $< > $@.tmp && mv $@.tmp $@

bench-go:
	$(GO) test ./internal/capture ./internal/engine ./internal/render ./fixtures/gen/big -run '^$$' -bench . -benchmem -count 5
