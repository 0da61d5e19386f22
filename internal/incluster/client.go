package incluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// The in-cluster defaults: where the kubelet mounts the ServiceAccount's
// credentials.
const (
	DefaultTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	DefaultCAFile    = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
)

// Errors for errors.Is.
var (
	// ErrNotInCluster: KUBERNETES_SERVICE_HOST or _PORT is unset.
	ErrNotInCluster = errors.New("incluster: not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset (outside a cluster, give --inventory FILE)")
	// ErrForbidden: the API server refused the credentials (401) or the
	// request (403).
	ErrForbidden = errors.New("forbidden")
	// ErrAPI: any other failed request.
	ErrAPI = errors.New("the API server failed the request")
)

// Config says how to reach the API server.
type Config struct {
	// Host is the server's URL, "https://10.96.0.1:443".
	Host string
	// TokenFile holds the bearer token, read for each Load; Token is used
	// when TokenFile is empty.
	TokenFile string
	Token     string
	// CAFile holds the PEM certificates that sign the server's.
	CAFile string
	// IstioNamespace is where the istio ConfigMap lives; "istio-system"
	// when empty.
	IstioNamespace string
	// Limit is the page size of a list; 500 when 0.
	Limit int
	// Timeout bounds each request; 30s when 0.
	Timeout time.Duration
}

// FromEnv is the in-cluster Config: the service's host and port from
// getenv (os.Getenv), the ServiceAccount's token and CA files.
func FromEnv(getenv func(string) string) (Config, error) {
	host, port := getenv("KUBERNETES_SERVICE_HOST"), getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return Config{}, ErrNotInCluster
	}
	return Config{Host: "https://" + net.JoinHostPort(host, port), TokenFile: DefaultTokenFile, CAFile: DefaultCAFile}, nil
}

// Client reads from one API server.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client
}

// New returns a Client; it reads the CA file, not yet the token.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.Host)
	if err != nil || base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("incluster: API server %q: expected https://HOST:PORT", cfg.Host)
	}
	if cfg.IstioNamespace == "" {
		cfg.IstioNamespace = "istio-system"
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 500
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("incluster: reading the API server's CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("incluster: %s: no PEM certificate in it", cfg.CAFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.Proxy = nil // the API server is reached directly, never through a proxy
	return &Client{cfg: cfg, base: base, http: &http.Client{Transport: tr, Timeout: cfg.Timeout}}, nil
}

// token reads the bearer token.
func (c *Client) token() (string, error) {
	if c.cfg.TokenFile == "" {
		return c.cfg.Token, nil
	}
	b, err := os.ReadFile(c.cfg.TokenFile)
	if err != nil {
		return "", fmt.Errorf("incluster: reading the ServiceAccount's token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// get fetches path (with query) and returns its body; a 404 is
// (nil, nil) when missingOK.
func (c *Client) get(ctx context.Context, token, path string, query url.Values, missingOK bool) ([]byte, error) {
	u := *c.base
	u.Path = path
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pcapcheck-agent")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("incluster: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("incluster: GET %s: %w", path, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return body, nil
	case resp.StatusCode == http.StatusNotFound && missingOK:
		return nil, nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("incluster: GET %s: %w (%d): %s: the agent's ServiceAccount needs the ClusterRole of deploy/20-rbac.yaml",
			path, ErrForbidden, resp.StatusCode, statusMessage(body))
	}
	return nil, fmt.Errorf("incluster: GET %s: %w (%d): %s", path, ErrAPI, resp.StatusCode, statusMessage(body))
}

// statusMessage is the message of a metav1.Status body, else the body's
// start.
func statusMessage(body []byte) string {
	var st struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &st) == nil && st.Message != "" {
		return st.Message
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
