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

.PHONY: lab lab-deps lab-fixtures lab-clean

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
