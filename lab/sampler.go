package lab

// setSamples keeps a task's live samples and their peaks.
func (t *Task) setSamples(ss []Sample) {
	if len(ss) == 0 {
		return
	}
	t.Samples = ss
	var rss, pss int64
	for _, s := range ss {
		rss = max(rss, s.RSSBytes)
		pss = max(pss, s.PSSBytes)
	}
	t.PeakRSSBytes, t.PeakPSSBytes = ptr(rss), ptr(pss)
}
