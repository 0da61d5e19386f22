# Fuzzing and the outside oracle of the hostile-input tests (issue 7).
#
#   make fuzz                  every fuzz target of every package, FUZZTIME each
#   make fuzz FUZZTIME=10m     longer
#   make fuzz FUZZ=FuzzReader  only the targets whose name matches
#   make deps-oracle           install tshark, the oracle fixtures/oracle checks
#                              flow counts against (the test skips without it)
#
# Targets are found with `go test -list`, so a package that gains one (the
# mesh-config reader's, for instance) is fuzzed without editing this file.
# Each target runs on its own, because -fuzz takes one target per package;
# a crasher is written to the package's testdata/fuzz/<target>/ and the run
# goes on with the next target. The list of failures comes at the end.

FUZZTIME     ?= 60s
FUZZMINIMIZE ?= 5s
FUZZ         ?= .

.PHONY: fuzz deps-oracle

fuzz:
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing go: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	@log=$$(mktemp); failed=""; summary=""; \
	for pkg in $$($(GO) list ./...); do \
	  if ! targets=$$($(GO) test -list '^Fuzz' $$pkg 2>$$log); then \
	    echo "== $$pkg: tests do not build"; cat $$log; failed="$$failed $$pkg"; \
	    summary="$$summary$$(printf '%-24s %-6s %s' "$$pkg" FAIL 'tests do not build')\n"; continue; fi; \
	  for target in $$(echo "$$targets" | grep '^Fuzz' | grep -E '$(FUZZ)'); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    if $(GO) test $$pkg -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) >$$log 2>&1; then \
	      result=ok; else result=FAIL; failed="$$failed $$target"; cat $$log; fi; \
	    execs=$$(grep -o 'execs: [0-9]*' $$log | tail -1 | cut -d' ' -f2); \
	    summary="$$summary$$(printf '%-24s %-6s %s execs' $$target $$result "$${execs:-0}")\n"; \
	    tail -1 $$log; \
	  done; \
	done; rm -f $$log; \
	printf "\nfuzz summary (FUZZTIME=$(FUZZTIME)):\n$$summary"; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed (crashers are kept under the package's testdata/fuzz/)"; exit 1; fi

# deps-oracle installs tshark when missing (as root), for the flow-count
# oracle test. Add it to `test`'s prerequisites so that CI runs that test.
deps-oracle:
	$(call need,tshark,tshark)
