// A Go file may declare a function without a body (workerMain, whose body
// is csys's, by go:linkname) only in a package with assembly.
