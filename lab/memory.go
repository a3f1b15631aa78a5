package lab

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ballast is anonymous memory the lab holds (and has touched, so it is
// resident) while it creates children: what makes fork() of a large parent
// slow, since fork copies the page tables that map it.
type ballast struct{ mem []byte }

func holdMemory(size int64, thp bool) (*ballast, error) {
	if size == 0 {
		return &ballast{}, nil
	}
	mem, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("holding %d bytes of parent memory: %w", size, err)
	}
	advice := unix.MADV_NOHUGEPAGE
	if thp {
		advice = unix.MADV_HUGEPAGE
	}
	if err := unix.Madvise(mem, advice); err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("madvise parent memory: %w", err)
	}
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
	return &ballast{mem: mem}, nil
}

func (b *ballast) release() {
	if b.mem != nil {
		unix.Munmap(b.mem)
		b.mem = nil
	}
}
