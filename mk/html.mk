# The HTML report: the browser its test opens, and the demo's HTML page.
# Uses GO, BIN, BOOKINFO and the `need` macro of the main Makefile.

.PHONY: deps-html demo-html

# deps-html installs headless Chromium for render.TestHTMLInChromium,
# which skips, saying so, when it is missing.
deps-html:
	$(call need,chromium,chromium)

# demo-html writes the seed's comparison as one self-contained HTML page:
# before on my-shell's veth, after with tcpdump -i any on the node, so the
# diagrams show the pods kube-proxy chose.
DEMO_HTML := bin/demo-compare.html

# demo_html is the recipe, shared with demo, which has built the binary
# already and so does not run make (and the build) again.
define demo_html
	@cd $(BOOKINFO) && ../../$(BIN) compare before/veth.pcap after/any.pcap \
	  --inventory inventory \
	  --before-inventory before/shell3-istioctl.txt --after-inventory after/shell5-istioctl.txt \
	  -o html > ../../$(DEMO_HTML)
	@echo "HTML report of the comparison (after: tcpdump -i any on the node): $(DEMO_HTML)"
endef

demo-html: build
	$(demo_html)
