package lab

import (
	"fmt"
	"os"
)

// makeTempDir makes a new directory in TMPDIR (os.TempDir) named by
// prefix; its error names TMPDIR, which is what the user can change.
func makeTempDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", tempDirError(err)
	}
	return dir, nil
}

func tempDirError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	return fmt.Errorf("TMPDIR %s is not a usable directory (%v): set TMPDIR to a writable one", os.TempDir(), err)
}

// CheckTempDir says whether the lab can make its temporary directories
// (calibrate's and rate's floor program, the Python driver's), so that a
// bad TMPDIR is refused before anything runs, by every command alike.
func CheckTempDir() error {
	dir, err := makeTempDir("proclab-check-")
	if err != nil {
		return err
	}
	return os.Remove(dir)
}
