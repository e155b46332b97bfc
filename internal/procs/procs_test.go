package procs

import (
	"os"
	"runtime"
	"strconv"
	"testing"
)

func TestSpare(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set in the environment: TestSpareRespectsEnvironment covers it")
	}
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	defer runtime.SetDefaultGOMAXPROCS()

	cpus, restore := Spare()
	if cpus != def {
		t.Errorf("Spare returned %d CPUs, want the runtime's default %d", cpus, def)
	}
	if got := runtime.GOMAXPROCS(0); got != def+1 {
		t.Errorf("GOMAXPROCS = %d after Spare, want %d", got, def+1)
	}
	// Again (a second server in one process): still one spare, not two.
	if cpus2, _ := Spare(); cpus2 != def || runtime.GOMAXPROCS(0) != def+1 {
		t.Errorf("a second Spare: %d CPUs, GOMAXPROCS %d; want %d and %d", cpus2, runtime.GOMAXPROCS(0), def, def+1)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != def {
		t.Errorf("GOMAXPROCS = %d after restore, want the default %d", got, def)
	}
}

func TestSpareRespectsEnvironment(t *testing.T) {
	n := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(n)
	t.Setenv("GOMAXPROCS", strconv.Itoa(n))
	cpus, restore := Spare()
	restore()
	if cpus != n || runtime.GOMAXPROCS(0) != n {
		t.Errorf("with GOMAXPROCS=%d in the environment: Spare returned %d and left %d processors, want %d and %d",
			n, cpus, runtime.GOMAXPROCS(0), n, n)
	}
}
