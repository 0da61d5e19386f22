# kubectl pcapcheck (issue 16): the kubectl plugin, a module of its own in
# cmd/kubectl-pcapcheck so that client-go stays out of pcapcheck's go.mod.
# `make build` builds bin/kubectl-pcapcheck beside bin/pcapcheck and `make
# test` runs the plugin module's vet and tests (TestCaptureOnLab needs root
# and skips without it).
#
#   make plugin          bin/kubectl-pcapcheck; put bin/ on PATH and run
#                        kubectl pcapcheck ...
#   make plugin-test     its vet and tests

PLUGIN_DIR := cmd/kubectl-pcapcheck
PLUGIN_BIN := bin/kubectl-pcapcheck

.PHONY: plugin plugin-test

plugin: deps-build
	cd $(PLUGIN_DIR) && $(GO) build -o $(CURDIR)/$(PLUGIN_BIN) .

plugin-test: deps-test
	cd $(PLUGIN_DIR) && $(GO) vet ./... && $(GO) test ./...
