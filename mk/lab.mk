# make lab: the seed's scenario on real kernel traffic. As root, it builds
# pcapcheck and the lab (fixtures/lab), plays the scenarios in network
# namespaces (kube-proxy's iptables DNAT, an emulated Istio sidecar in
# my-shell behind Istio's own iptables rules, the real tcpdump on the node
# and inside my-shell's namespace), prints `pcapcheck compare` of the
# captures before and after the Sidecar object (on the veth, and -i any
# inside the pod), checks every flow's verdict against the sidecar's and the
# clients' logs, and confirms the lab is gone. Nothing is changed in
# the machine's own network namespace.
#
# make lab-fixtures rewrites the committed run under fixtures/lab/testdata/run
# that `go test ./fixtures/lab` checks without root.

LAB_BIN      := bin/lab
LAB_FIXTURES := fixtures/lab/testdata/run

.PHONY: lab lab-deps lab-fixtures lab-clean lab-multi lab-multi-fixtures

LAB_MULTI_FIXTURES := fixtures/lab/testdata/multi

lab-deps:
	@[ "$$(id -u)" = 0 ] || { echo "make lab needs root: it creates network namespaces (try: sudo make lab)"; exit 1; }
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing go: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	$(call need,tcpdump,tcpdump)
	$(call need,iptables-restore,iptables)
	$(call need,ip6tables-restore,iptables)
	$(call need,ip,iproute2)

lab: lab-deps
	$(GO) build -o $(BIN) ./cmd/pcapcheck
	$(GO) build -o $(LAB_BIN) ./fixtures/lab
	@set -e; out=$$(mktemp -d /tmp/pcapcheck-lab.XXXXXX); \
	  $(LAB_BIN) run --out $$out; \
	  echo; \
	  echo '$$ pcapcheck compare before/veth.pcap after/veth.pcap   (real captures on my-shell'"'"'s veth)'; \
	  (cd $$out && $(CURDIR)/$(BIN) compare before/veth.pcap after/veth.pcap \
	    --inventory inventory \
	    --before-inventory before/istioctl.txt --after-inventory after/istioctl.txt); \
	  echo; \
	  echo '$$ pcapcheck compare before/pod-any.pcap after/pod-any.pcap   (tcpdump -i any inside my-shell'"'"'s namespace, as kubectl debug takes it)'; \
	  (cd $$out && $(CURDIR)/$(BIN) compare before/pod-any.pcap after/pod-any.pcap \
	    --inventory inventory \
	    --before-inventory before/istioctl.txt --after-inventory after/istioctl.txt); \
	  echo; \
	  echo '$$ lab check   (every flow of every capture against the sidecar'"'"'s decisions and the clients'"'"' logs; fixtures/lab/testdata/known-disagreements.txt lists what the analyzer still gets wrong)'; \
	  status=0; $(LAB_BIN) check $$out > $$out/check.txt 2>&1 || status=$$?; \
	  grep -v '^ok ' $$out/check.txt || true; \
	  $(LAB_BIN) check --show-known $$out > $$out/check-known.txt 2>&1 || true; \
	  left=$$(ip netns list | grep '^pcl-' || true); \
	  if [ -n "$$left" ]; then echo "lab namespaces left behind: $$left"; exit 1; fi; \
	  echo "no lab namespace left; captures, inventory, ground truth, check.txt and check-known.txt kept in $$out"; \
	  exit $$status

lab-fixtures: lab-deps
	$(GO) build -o $(LAB_BIN) ./fixtures/lab
	rm -rf $(LAB_FIXTURES)
	$(LAB_BIN) run --out $(LAB_FIXTURES)
	-$(LAB_BIN) check $(LAB_FIXTURES) 2>&1 | grep -v '^ok '

lab-clean:
	@[ "$$(id -u)" = 0 ] || { echo "make lab-clean needs root"; exit 1; }
	$(GO) run ./fixtures/lab clean

# make lab-multi: the lab on two nodes (kind-worker with my-shell, reviews-v1
# and v3, mongodb; kind-worker2 with the others, joined by a fabric bridge),
# before and after, with pcapcheck running -i any in every node's namespace
# (`pcapcheck agent`, or `pcapcheck live` while there is no agent command).
# It prints the cluster-wide report merged from the nodes' reports, checks
# every node's capture and report and the merge against the ground truth,
# and prints each agent's peak memory and CPU time.
lab-multi: lab-deps
	$(GO) build -o $(BIN) ./cmd/pcapcheck
	$(GO) build -o $(LAB_BIN) ./fixtures/lab
	@set -e; out=$$(mktemp -d /tmp/pcapcheck-lab-multi.XXXXXX); \
	  $(LAB_BIN) run --multi-node --agents $(CURDIR)/$(BIN) --scenarios before,after --out $$out; \
	  for s in before after; do \
	    echo; \
	    if $(BIN) merge --help >/dev/null 2>&1; then \
	      echo "$$ pcapcheck merge $$s/agent-kind-worker.json $$s/agent-kind-worker2.json   (one agent per node; the cluster-wide report)"; \
	      (cd $$out && $(CURDIR)/$(BIN) merge $$s/agent-kind-worker.json $$s/agent-kind-worker2.json); \
	    else \
	      for n in kind-worker kind-worker2; do \
	        echo "$$ pcapcheck analyze $$s/node-$$n.pcap   (tcpdump -i any in $$n's namespace; this pcapcheck has no merge command)"; \
	        (cd $$out && $(CURDIR)/$(BIN) analyze $$s/node-$$n.pcap --inventory inventory --inventory $$s/istioctl.txt); \
	      done; \
	    fi; \
	  done; \
	  echo; \
	  echo '$$ lab check   (every node'"'"'s capture and agent report, and their merge, against the sidecar'"'"'s decisions and the clients'"'"' logs)'; \
	  status=0; $(LAB_BIN) check --scenarios before,after $$out > $$out/check.txt 2>&1 || status=$$?; \
	  grep -v '^ok ' $$out/check.txt || true; \
	  echo; echo 'agents (peak resident memory, CPU time, from getrusage):'; \
	  for s in before after; do sed "s|^|  $$s: |" $$out/$$s/agents-usage.jsonl; done; \
	  left=$$(ip netns list | grep '^pcl-' || true); \
	  if [ -n "$$left" ]; then echo "lab namespaces left behind: $$left"; exit 1; fi; \
	  echo "no lab namespace left; captures, agent reports, ground truth and check.txt kept in $$out"; \
	  exit $$status

# make lab-multi-fixtures rewrites the committed two-node run under
# fixtures/lab/testdata/multi (with the agents' reports) that
# `go test ./fixtures/lab` checks without root.
lab-multi-fixtures: lab-deps
	$(GO) build -o $(BIN) ./cmd/pcapcheck
	$(GO) build -o $(LAB_BIN) ./fixtures/lab
	rm -rf $(LAB_MULTI_FIXTURES)
	$(LAB_BIN) run --multi-node --agents $(CURDIR)/$(BIN) --scenarios before,after --out $(LAB_MULTI_FIXTURES)
	$(LAB_BIN) check --scenarios before,after $(LAB_MULTI_FIXTURES) | grep -v '^ok '
