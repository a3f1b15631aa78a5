package csys

import "encoding/binary"

// AppendRecord appends r in the wire format children write (struct
// proclab_record, then the samples): the inverse of ReadRecord, for tests
// and tools that need to produce records (a corrupt one, say) without a
// child.
func AppendRecord(b []byte, r *Record) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, RecordMagic)
	b = le.AppendUint16(b, r.Version)
	b = le.AppendUint16(b, RecordHeaderSize)
	b = le.AppendUint32(b, r.Task)
	b = le.AppendUint32(b, r.Flags)
	b = le.AppendUint32(b, uint32(r.PID))
	b = le.AppendUint32(b, uint32(r.PPID))
	b = le.AppendUint64(b, r.NIters)
	b = le.AppendUint64(b, r.Checksum)
	b = le.AppendUint64(b, uint64(r.ExecDoneNS))
	b = le.AppendUint64(b, uint64(r.RuntimeReadyNS))
	b = le.AppendUint64(b, uint64(r.TaskStartNS))
	b = le.AppendUint64(b, uint64(r.TaskEndNS))
	b = le.AppendUint64(b, r.TextBase)
	b = le.AppendUint32(b, r.ProfileHz)
	b = le.AppendUint32(b, uint32(len(r.Samples)))
	b = le.AppendUint32(b, r.SamplesDropped)
	b = le.AppendUint32(b, r.MemErr)
	b = le.AppendUint64(b, uint64(r.TaskCPUNS))
	b = le.AppendUint64(b, uint64(r.MemReadNS))
	b = le.AppendUint64(b, uint64(r.HWMBytes))
	b = le.AppendUint64(b, uint64(r.EndRSSBytes))
	b = le.AppendUint64(b, uint64(r.EndPSSBytes))
	b = le.AppendUint64(b, uint64(r.EndUSSBytes))
	for _, pc := range r.Samples {
		b = le.AppendUint64(b, pc)
	}
	return b
}
