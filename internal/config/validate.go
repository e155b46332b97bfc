package config

import "os"

// Validate checks a configuration built in code (Load checks its own).
func (c *Config) Validate() error {
	if c.lines == nil {
		c.lines = map[string]int{}
	}
	return c.validate(false).err()
}

// validate checks c; fromFile adds the checks that only apply to values a
// file gave (no pin-value in a file). The sections are checked in the
// order of validators, which is the order of the problems reported.
func (c *Config) validate(fromFile bool) *problems {
	ps := &problems{c: c}
	for _, check := range validators {
		check(c, ps, fromFile)
	}
	return ps
}

// validators are the checks of each section of the configuration, in the
// order their problems are reported.
var validators = []func(c *Config, ps *problems, fromFile bool){
	func(c *Config, ps *problems, _ bool) { c.validateStamp(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateListen(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateFront(ps) },
	func(c *Config, ps *problems, _ bool) { c.validatePublicBaseURL(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateTLS(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateStore(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateTOTP(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateTrust(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateTSA(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateRevocation(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateLimits(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateBSrE(ps) },
	func(c *Config, ps *problems, _ bool) { c.validateLog(ps) },
	(*Config).validateProfiles,
}

func (c *Config) checkFile(ps *problems, key, path string) {
	if path == "" {
		return
	}
	if _, err := os.Stat(path); err != nil {
		ps.add(key, "%s: %s", path, unwrapPath(err))
	}
}
