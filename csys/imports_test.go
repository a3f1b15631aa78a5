package csys

import (
	"go/build"
	"testing"
)

// csys's init is where a spawned worker starts its task, and Go runs the
// inits of packages whose imports are done in import-path order: an import
// of csys that finishes late lets dozens of the CLI's packages initialize
// first, in every worker. os/exec and path/filepath did (87 packages ran
// before csys with them, 69 without); keep them out.
func TestImportsStayEarly(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range p.Imports {
		switch imp {
		case "os/exec", "path/filepath", "regexp", "net", "net/http":
			t.Errorf("csys imports %s, which initializes late and delays every worker's task", imp)
		}
	}
}
