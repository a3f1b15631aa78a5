package lab

import (
	"errors"

	"github.com/proclab/proclab/csys"
)

// forkserver is the client side of the run's forkserver.
type forkserver struct{}

func startForkserver(e *env) (*forkserver, error) {
	return nil, errors.New("the forkserver method is not built yet")
}

func (fs *forkserver) start(t csys.Task, w int) (child, error) {
	return child{}, errors.New("the forkserver method is not built yet")
}

func (fs *forkserver) close() {}
