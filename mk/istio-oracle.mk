# istiod's own answers for the scope scenarios (issue 13).
#
#   make istio-oracle   regenerate fixtures/istio-oracle/testdata/scenarios
#                       (hand-written + 300 random, seed 13) and record what
#                       istiod (istio.io/istio, release-1.31) computes for
#                       each, in its istiod.json; then the same with an
#                       istiod from before 1.31 (fixtures/istio-oracle/
#                       istio-1.30, a 1.30-era commit), in istiod-1.30.json
#
# The oracle is a Go module of its own (fixtures/istio-oracle, and
# istio-1.30 inside it), so that istio.io/istio and its Kubernetes
# dependencies stay out of the product's go.mod. Time on this machine (2
# shared cores): from a cold build cache about 15 minutes (887 s measured
# for both istio versions; the release-1.31 one alone took 779 s while other
# builds ran), nearly all compiling istio's packages, plus the module
# download on a fresh machine; with the build cache kept about 70 seconds,
# 25-35 of them for each version's 396 scenarios. `make test` compares
# pcapcheck with the records (fixtures/oracle, TestIstioScope) and does not
# need this target.

ISTIO_ORACLE      := fixtures/istio-oracle
ISTIO_ORACLE_SEED ?= 13
ISTIO_ORACLE_N    ?= 300

.PHONY: istio-oracle

istio-oracle:
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing go: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	cd $(ISTIO_ORACLE) && GOFLAGS= $(GO) run ./cmd/gen -seed $(ISTIO_ORACLE_SEED) -n $(ISTIO_ORACLE_N)
	cd $(ISTIO_ORACLE) && GOFLAGS= nice -n 19 $(GO) test -count=1 -timeout 60m -run '^TestIstiod$$' . -args -update
	cd $(ISTIO_ORACLE)/istio-1.30 && GOFLAGS= nice -n 19 $(GO) test -count=1 -timeout 60m -run '^TestIstiod$$' . -args -update
