package main

import (
	"fmt"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// clients makes the API clients from kubectl's flags, once.
type clients struct {
	flags *genericclioptions.ConfigFlags
	cfg   *rest.Config
	kube  kubernetes.Interface
	dyn   dynamic.Interface
}

// load builds the clients; an error says what is wrong with the
// kubeconfig.
func (c *clients) load() error {
	if c.kube != nil {
		return nil
	}
	cfg, err := c.flags.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("reading the kubeconfig: %w", err)
	}
	if c.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return err
	}
	if c.dyn, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	c.cfg = cfg
	return nil
}

// namespace returns -n, or the kubeconfig context's namespace, or
// "default", as kubectl picks it.
func (c *clients) namespace() (string, error) {
	ns, _, err := c.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", fmt.Errorf("reading the kubeconfig: %w", err)
	}
	return ns, nil
}
