# A real Kubernetes API server for the tests (issue 16): etcd from Debian's
# etcd-server and kube-apiserver built from k8s.io/kubernetes, which
# fixtures/kubetest starts on 127.0.0.1.
#
#   make kube-apiserver   build bin/kube-apiserver from fixtures/kube-apiserver
#                         (a module of its own, so that k8s.io/kubernetes stays
#                         out of pcapcheck's go.mod); rebuilt only when that
#                         module's files change
#   make deps-kube        the above, and etcd (apt-get install etcd-server);
#                         make test depends on it
#
# Time on this machine (2 cores): from an empty build cache about 515 s of
# CPU (423 s user + 92 s system, so some 5 minutes idle; 1,019 s and 1,333 s
# of wall time measured while other builds loaded it, load average 12-18);
# about 7 s with the build cache kept (the link alone), 19 s in a fresh clone;
# nothing when bin/kube-apiserver is current.
# -trimpath: the binary does not depend on where the module cache is.
# Uses GO and the `need` macro of the main Makefile.

KUBE_APISERVER     := bin/kube-apiserver
KUBE_APISERVER_SRC := fixtures/kube-apiserver
KUBE_VERSION       := v1.37.2

# The version kube-apiserver reports (/version, kubectl version): a build
# from the module cache has no git tree to take it from.
KUBE_LDFLAGS := -s -w \
  -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
  -X k8s.io/component-base/version.gitMajor=1 \
  -X k8s.io/component-base/version.gitMinor=37

.PHONY: kube-apiserver deps-kube

kube-apiserver: $(KUBE_APISERVER)

deps-kube: $(KUBE_APISERVER)
	$(call need,etcd,etcd-server)

# GOFLAGS= : the root's -tags=isal means nothing here and would give the
# build cache a second copy of every package.
$(KUBE_APISERVER): $(wildcard $(KUBE_APISERVER_SRC)/*.go) $(KUBE_APISERVER_SRC)/go.mod $(KUBE_APISERVER_SRC)/go.sum
	@command -v $(GO) >/dev/null 2>&1 || { echo "missing go: install Go 1.26 from https://go.dev/dl/"; exit 1; }
	@mkdir -p $(dir $@)
	@echo "building $@ ($(KUBE_VERSION), several minutes from a cold build cache)"
	cd $(KUBE_APISERVER_SRC) && GOFLAGS= $(GO) build -trimpath -ldflags "$(KUBE_LDFLAGS)" -o $(CURDIR)/$@ .
