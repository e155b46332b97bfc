package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
)

// applyEnv applies the environment overrides.
func (c *Config) applyEnv(lookup func(string) (string, bool), ps *problems) {
	if lookup == nil {
		return
	}
	str := func(name, key string, dst *string) {
		if v, ok := lookup(name); ok {
			*dst = v
			c.env[key] = name
		}
	}
	str("SEGEL_LISTEN", "listen", &c.Listen)
	str("SEGEL_OPS_LISTEN", "ops_listen", &c.OpsListen)
	str("SEGEL_PUBLIC_BASE_URL", "public_base_url", &c.PublicBaseURL)
	if v, ok := lookup("SEGEL_STORE_DSN"); ok {
		if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
			c.Store.Postgres, c.Store.SQLite = v, ""
			c.env["store.postgres"] = "SEGEL_STORE_DSN"
		} else {
			c.Store.SQLite, c.Store.Postgres = strings.TrimPrefix(v, "sqlite:"), ""
			c.env["store.sqlite"] = "SEGEL_STORE_DSN"
		}
	}
	str("SEGEL_TSA_USERNAME", "tsa.username", &c.TSA.Username)
	str("SEGEL_TSA_PASSWORD", "tsa.password", &c.TSA.Password)
	str("SEGEL_TSA_TOKEN", "tsa.token", &c.TSA.Token)
	str("SEGEL_BSRE_USER", "bsre.user", &c.BSrE.User)
	str("SEGEL_BSRE_PASSWORD", "bsre.password", &c.BSrE.Password)
	str("SEGEL_TOTP_KEY_FILE", "totp.key_file", &c.TOTP.KeyFile)
	byEnv := map[string]int{}
	for i, p := range c.Profiles {
		if p != nil && p.Name != "" {
			byEnv[p.EnvName()] = i
		}
	}
	for i, p := range c.Profiles {
		if p == nil || p.Name == "" {
			continue
		}
		k := fmt.Sprintf("profiles[%d]", i)
		str("SEGEL_PROFILES_"+p.EnvName()+"_KEY", k+".key", &p.Key)
		if v, ok := lookup("SEGEL_PROFILES_" + p.EnvName() + "_KEY_PASSWORD"); ok {
			p.KeyPassword = v
		}
	}
	c.checkProfileEnv(lookup, byEnv, ps)
}

// checkProfileEnv reports an override for a profile that does not exist:
// a mistake (a typo, or a profile renamed in the file but not in the
// deployment). byEnv maps the profiles' environment names to their index.
func (c *Config) checkProfileEnv(lookup func(string) (string, bool), byEnv map[string]int, ps *problems) {
	if environ, ok := lookupEnvList(lookup); ok {
		for _, name := range environ {
			rest, ok := strings.CutPrefix(name, "SEGEL_PROFILES_")
			if !ok {
				continue
			}
			prof, found := strings.CutSuffix(rest, "_KEY_PASSWORD")
			if !found {
				prof, found = strings.CutSuffix(rest, "_KEY")
			}
			if !found {
				continue
			}
			if _, ok := byEnv[prof]; !ok {
				ps.list = append(ps.list, Problem{File: c.File, Env: name,
					Msg: fmt.Sprintf("no profile's name gives %s (names: %s)", prof, strings.Join(c.profileNames(), ", "))})
			}
		}
	}
}

// lookupEnvList lists the environment's variable names when lookup is
// os.LookupEnv (an injected lookup cannot be listed).
func lookupEnvList(lookup func(string) (string, bool)) ([]string, bool) {
	if reflect.ValueOf(lookup).Pointer() != reflect.ValueOf(os.LookupEnv).Pointer() {
		return nil, false
	}
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	return names, true
}

func (c *Config) profileNames() []string {
	var names []string
	for _, p := range c.Profiles {
		if p != nil {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}
