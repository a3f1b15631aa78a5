package lab

import (
	"context"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/proclab/proclab/csys"
)

// ballast is anonymous memory the lab holds (and has touched, so it is
// resident) while it creates children: what makes fork() of a large parent
// slow, since fork copies the page tables that map it.
type ballast struct {
	mem     []byte
	release func() // csys.KeepInForkChildren's: fork children inherit it
}

// fillChunk is how much of the ballast is touched between two looks at
// the context: 16 MiB takes a few milliseconds to fault in (16 GiB took
// 42 s here), so a cancelled fill ends within a fraction of a second.
const fillChunk = 16 << 20

// holdMemory is holdMemoryContext that is never cancelled.
func holdMemory(size int64, thp bool) (*ballast, error) {
	return holdMemoryContext(context.Background(), size, thp)
}

// holdMemoryContext maps size bytes and touches every page. Filling a
// large ballast takes a long time (seconds per GiB on a busy machine), so
// it gives way to ctx: when ctx is done, the memory is released and ctx's
// error returned.
func holdMemoryContext(ctx context.Context, size int64, thp bool) (*ballast, error) {
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
	if _, err := fill(ctx, mem); err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("holding %d bytes of parent memory: %w", size, err)
	}
	// The lab keeps its own Go memory out of fork children (labheap.go);
	// the ballast is the parent asked for, and every child inherits it.
	return &ballast{mem: mem, release: csys.KeepInForkChildren(unsafe.Pointer(&mem[0]))}, nil
}

// fill touches one byte of every page of mem, looking at ctx every
// fillChunk bytes; it returns how many bytes it got through.
func fill(ctx context.Context, mem []byte) (int, error) {
	for off := 0; off < len(mem); off += fillChunk {
		if err := ctx.Err(); err != nil {
			return off, err
		}
		end := min(off+fillChunk, len(mem))
		for i := off; i < end; i += 4096 {
			mem[i] = 1
		}
	}
	return len(mem), nil
}

func (b *ballast) free() {
	if b.mem != nil {
		b.release()
		unix.Munmap(b.mem)
		b.mem = nil
	}
}
