# Summary of `make bench-http` (docs/decisions.md, "Gateway performance
# (issue 12)"): copies go test's output, then prints per profile the
# gateway's rate against the library's, the latencies at 64 clients and
# the CPU time per signature of each, and the CPU time per request of the
# load generator (a process of its own, not counted in the gateway's).
# With COUNT > 1, the means of the runs. It fails (exit 1) when go test
# did not end with "ok".
{ print; fflush() }
/^(FAIL|--- FAIL)/ { failed = 1 }
/^ok / { ok = 1 }
/^Benchmark(HTTP|Library)Sign\// {
	split($1, name, "/"); kind = name[1]; prof = name[2]; sub(/-[0-9]+$/, "", prof)
	profs[prof] = 1
	for (i = 3; i < NF; i++) {
		v = $i; u = $(i + 1)
		if (kind == "BenchmarkHTTPSign") {
			if (u == "req/s") { rate[prof] += v; nrate[prof]++ }
			if (u == "p50-ms") p50[prof] += v
			if (u == "p99-ms") p99[prof] += v
			if (u == "errors") errs[prof] += v
			if (u == "cpu-ms/op") { gcpu[prof] += v; ngcpu[prof]++ }
			if (u == "gen-cpu-ms/op") { gen[prof] += v; ngen[prof]++ }
		} else {
			if (u == "sig/s") { lib[prof] += v; nlib[prof]++ }
			if (u == "cpu-ms/op") { lcpu[prof] += v; nlcpu[prof]++ }
		}
	}
}
END {
	print ""
	print "gateway (POST /v1/sign, 64 clients of a separate load generator) beside the library (signer.Sign, 64 goroutines):"
	for (p in profs) {
		if (!nrate[p] || !nlib[p]) continue
		g = rate[p] / nrate[p]; l = lib[p] / nlib[p]
		printf "  %-8s rate %7.1f req/s / %7.1f sig/s = %.2f (goal >= 0.70); p50 %.0f ms, p99 %.0f ms (goal <= 50); errors %d\n",
			p, g, l, g / l, p50[p] / nrate[p], p99[p] / nrate[p], errs[p]
		if (ngcpu[p] && nlcpu[p])
			printf "  %-8s CPU per signature: library %.2f ms / gateway %.2f ms = %.2f\n",
				p, lcpu[p] / nlcpu[p], gcpu[p] / ngcpu[p], (lcpu[p] / nlcpu[p]) / (gcpu[p] / ngcpu[p])
		if (ngen[p])
			printf "  %-8s CPU per request of the load generator (its own process, not in the gateway's): %.3f ms\n",
				p, gen[p] / ngen[p]
	}
	if (failed || !ok) exit 1
}
