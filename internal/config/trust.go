package config

// Trust lists the trust anchors for verification and for TSA
// certificates.
type Trust struct {
	// National trusts the national bundle shipped with Segel (Root CA
	// Indonesia DS G1). Default true.
	National bool `yaml:"national"`
	// Paths are PEM/DER files or directories of further anchors.
	Paths []string `yaml:"paths"`
}

// TSA configures the RFC 3161 time-stamp authorities (needed for B-T and
// above).
type TSA struct {
	// URLs are tried in order.
	URLs []string `yaml:"urls"`
	// Username and Password are sent with HTTP Basic authentication;
	// Token as a bearer token. Prefer $SEGEL_TSA_PASSWORD and
	// $SEGEL_TSA_TOKEN to writing them here.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	Token    string `yaml:"token"`
	// Timeout bounds each attempt; default 10s.
	Timeout Duration `yaml:"timeout"`
}

// Revocation configures OCSP and CRL fetching.
type Revocation struct {
	// Timeout bounds each request; default 10s.
	Timeout Duration `yaml:"timeout"`
	// Offline forbids fetching: verification uses only what documents
	// embed, and B-LT signing fails.
	Offline bool `yaml:"offline"`
	// PreferCRL asks CRL distribution points before OCSP responders.
	PreferCRL bool `yaml:"prefer_crl"`
	// AllowedHosts, when not empty, are the only hosts OCSP responses and
	// CRLs are fetched from (and redirected to): host names, or
	// "*.example.go.id" for every name under example.go.id. Empty: any
	// host. Redirects never lead to another host in any case.
	AllowedHosts []string `yaml:"allowed_hosts"`
}
