#!/usr/bin/env python3
# Mutants of proclab's figures: each entry changes one computation by a
# small, realistic mistake (a mean for a median, n for n-1, an off-by-one,
# a stamp shifted by a microsecond) and runs the tests that must catch it.
# A mutant that survives is a figure no test holds to its value. Not part
# of make test (it rebuilds once per mutant: several minutes); run it after
# changing a figure:
#
#   python3 scripts/mutants.py          # every mutant
#   python3 scripts/mutants.py 3 17     # some, by index
#
# An entry whose code is no longer there prints NOT FOUND: update it.
import subprocess, sys, os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
PURE=(['./lab/stats','./lab/report','./lab/results'], None)
STATIC=['-tags','netgo,osusergo','-ldflags','-linkmode external -extldflags "-static"']
def lab(run): return (['./lab'], run)
M=[
 ("lab/stats/summary.go","pos := q * float64(len(sorted)-1)","pos := q * float64(len(sorted))","quantile off by one"),
 ("lab/stats/summary.go","math.Sqrt(ss / float64(len(s)-1))","math.Sqrt(ss / float64(len(s)))","stddev over n, not n-1"),
 ("lab/stats/summary.go","sum.MAD = 1.4826 * quantile(dev, 0.5)","sum.MAD = quantile(dev, 0.5)","MAD unscaled"),
 ("lab/stats/summary.go","math.Abs(x-sum.Median) > 3*sum.MAD","math.Abs(x-sum.Median) > 2.5*sum.MAD","outlier threshold"),
 ("lab/stats/count.go","return t.Error == \"\" && !t.TimedOut &&","return t.Error == \"\" &&","timed out counted"),
 ("lab/stats/count.go","if !Recorded(r) || r.WallNS <= 0 || len(r.Tasks) != r.NTasks || r.NTasks == 0 {","if !Recorded(r) || r.WallNS <= 0 {","short run's wall counted"),
 ("lab/stats/count.go","func Recorded(r *results.RunResult) bool { return r.Round >= 0 }","func Recorded(r *results.RunResult) bool { return r.Round >= -1 }","warmup recorded"),
 ("lab/stats/count.go","(t.ChecksumOK == nil || *t.ChecksumOK)","(t.ChecksumOK != nil && *t.ChecksumOK)","unknown checksum left out"),
 ("lab/stats/rows.go","Startup: Summarize(Values(g.Runs, Startup)),","Startup: Summarize(Values(g.Runs, Total)),","startup from total"),
 ("lab/stats/rows.go","share = append(share, float64(*t.StartupNS-*t.ExecDoneNS)/float64(*t.StartupNS))","share = append(share, float64(*t.RuntimeReadyNS-*t.ExecDoneNS)/float64(*t.StartupNS))","share of runtime only"),
 ("lab/stats/rows.go","if r.Wall.N > 0 && r.Wall.Mean > 0 {\n\t\t\tif b, ok := bestWall[t]; !ok || r.Wall.Mean < b {\n\t\t\t\tbestWall[t] = r.Wall.Mean","if r.Wall.N > 0 && r.Wall.Mean > 0 {\n\t\t\tif b, ok := bestWall[t]; !ok || r.Wall.Median < b {\n\t\t\t\tbestWall[t] = r.Wall.Median","wall ratio on median"),
 ("lab/stats/rows.go","N: r.Total.N, LeftOut: r.LeftOut,","N: r.Tasks, LeftOut: r.LeftOut,","summary n counts all tasks"),
 ("lab/stats/rows.go","t := table{r.ParentRSSBytes, r.NTasks, r.NIters}\n\t\tif r.Startup.N","t := table{0, r.NTasks, r.NIters}\n\t\tif r.Startup.N","ratios across parent sizes"),
 ("lab/stats/cells.go","c.Speedup = Ratio(single.Median, multi.Median)","c.Speedup = Ratio(single.Mean, multi.Mean)","speedup of means"),
 ("lab/stats/cells.go","c.Efficiency = c.Speedup / float64(c.Parallelism)","c.Efficiency = c.Speedup / float64(p.nt)","efficiency over n_tasks"),
 ("lab/stats/cells.go","t := (1 - sa) / (sb - sa)","t := (1 - sa) / sb","crossing interpolation"),
 ("lab/stats/cells.go","for k > 0 && speedup(&cells[k-1]) > 1 {","for k > 0 && speedup(&cells[k-1]) > PaysOff {","crossing brackets on 1.05"),
 ("lab/stats/cells.go","const PaysOff = 1.05","const PaysOff = 1.0","no tie margin"),
 ("lab/stats/cells.go","return float64(c.SingleNS) / float64(c.NTasks)","return float64(c.SingleNS) / float64(c.NTasks+1)","per-task single"),
 ("lab/stats/cells.go","Rounds: min(single.N, multi.N, thread.N)}","Rounds: max(single.N, multi.N, thread.N)}","rounds"),
 ("lab/stats/cells.go","rounds := (big.NTasks + big.Parallelism - 1) / big.Parallelism","rounds := big.NTasks / big.Parallelism","model rounds floor"),
 ("lab/stats/cells.go","return results.Ptr(s), results.Ptr(s / (perIter * saved))","return results.Ptr(s), results.Ptr(s / perIter)","model ignores tasks saved"),
 ("lab/stats/lessons.go","gib := float64(hi-lo) / (1 << 30)","gib := float64(hi) / (1 << 30)","slope over hi"),
 ("lab/stats/lessons.go","g.Grows = g.EndsHi >= 1.5*g.EndsLo","g.Grows = g.EndsHi >= 1.05*g.EndsLo","grows threshold"),
 ("lab/stats/lessons.go","xs = append(xs, float64(t.RunNS)/float64(r.NIters))","xs = append(xs, float64(t.TotalNS)/float64(r.NIters))","per-iter from total"),
 ("lab/stats/lessons.go","out.ThreadGain = Ratio(out.Procs[0].Startup.Median, out.Thread.Startup.Median)","out.ThreadGain = Ratio(out.Thread.Startup.Median, out.Procs[0].Startup.Median)","thread gain inverted"),
 ("lab/stats/lessons.go","out.Procs[i].Ratio = Ratio(out.Procs[i].Startup.Median, out.Procs[0].Startup.Median)","out.Procs[i].Ratio = Ratio(out.Procs[i].Startup.Mean, out.Procs[0].Startup.Mean)","ranking on means"),
 ("lab/stats/diff.go","\t\t\t\t\tadd(k, pi, Median(xs))\n\t\t\t\t}\n\t\t\t\tif xs := RunValues(r, Total)","\t\t\t\t\tadd(k, pi, Summarize(xs).Mean)\n\t\t\t\t}\n\t\t\t\tif xs := RunValues(r, Total)","diff run value is the mean"),
 ("lab/stats/diff.go","v := 100 * math.Max(s.Hi/s.Center-1, 1-s.Lo/s.Center)","v := 100 * math.Min(s.Hi/s.Center-1, 1-s.Lo/s.Center)","CI smaller side"),
 ("lab/stats/diff.go","ChangePct: (sum.Center/firstCenter - 1) * 100","ChangePct: (sum.Center - firstCenter) / sum.Center * 100","change over new"),
 ("lab/stats/diff.go","Significant: c.P < c.Alpha}","Significant: c.P <= 2*c.Alpha}","significance"),
 ("lab/stats/footprint.go","fp.OwnRSS, fp.OwnAnon = max(fp.RSS-float64(size), 0), max(fp.Anon-float64(size), 0)","fp.OwnRSS, fp.OwnAnon = fp.RSS, max(fp.Anon-float64(size), 0)","own rss keeps ballast"),
 ("lab/stats/calibrate.go","mo.StartupRatio = Ratio(mo.StartupNS, *f.StartupNS)","mo.StartupRatio = Ratio(mo.StartupNS, f.TotalNS)","startup ratio over total floor"),
 ("lab/stats/calibrate.go","return float64(n) / (float64(wallNS) / 1e9)","return float64(n) / (float64(wallNS) / 1e6)","tasks/s unit"),
 ("lab/stats/calibrate.go","Met: mo.StartupRatio <= GoalForkStartupRatio})","Met: mo.StartupRatio < GoalForkStartupRatio+0.1})","goal verdict"),
 ("lab/report/bench.go","sec(t.StartupNS, \"startup-sec/op\")","sec(&t.TotalNS, \"startup-sec/op\")","bench startup from total"),
 ("lab/report/bench.go","if !stats.Counts(t) {","if t.Error != \"\" {","bench rule"),
 ("lab/report/methods.go","image, goStart = dur(s.Split.Image), dur(s.Split.Program)","image, goStart = dur(s.Split.Image), dur(s.Split.Startup-s.Split.Image)","table split program"),
 ("lab/report/sentences.go","itersText(c.NIters), c.Speedup, dur(stats.PerTaskSingle(c))))","itersText(c.NIters), c.Speedup, dur(float64(c.SingleNS)/4)))","sentence per-task"),
 ("lab/report/parent.go","bytesIEC(fp.OwnRSS), bytesIEC(fp.OwnAnon), fp.VMAs, bytesIEC(fp.PTE)","bytesIEC(fp.RSS), bytesIEC(fp.OwnAnon), fp.VMAs, bytesIEC(fp.PTE)","footprint line rss"),
 ("lab/report/csv.go",'{"end_pss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.EndPSSBytes) }},','{"end_pss_bytes", func(_ *results.RunResult, t *results.Task) string { return opt64(t.EndUSSBytes) }},',"csv column of another field"),
 ("lab/results/read.go","	case ns < 0:","	case ns < -1:","a -1 duration read as a figure"),
 ("lab/process.go","		t.TotalNS -= *t.MemReadNS","		t.TotalNS -= *t.MemReadNS + 1000","total less 1 µs more than the read",lab("FiguresAreTheirStamps")),
 ("lab/process.go","	t.StartupNS = ptr(rec.TaskStartNS - c.createNS)","	t.StartupNS = ptr(rec.TaskStartNS - c.createNS + 1000)","startup 1 µs long",lab("FiguresAreTheirStamps")),
 ("lab/process.go","	t.RunNS = rec.TaskEndNS - rec.TaskStartNS","	t.RunNS = rec.TaskEndNS - rec.TaskStartNS + 1000","run 1 µs long",lab("FiguresAreTheirStamps")),
 ("lab/run.go","		if end := t.Stamps.CreateNS + t.TotalNS; i == 0 || end > last {","		if end := t.Stamps.CreateNS + t.TotalNS + 1000; i == 0 || end > last {","wall 1 µs long",lab("FiguresAreTheirStamps")),
 ("lab/process.go","	t.MaxRSSBytes = t.HWMBytes","	t.MaxRSSBytes = t.EndRSSBytes","max_rss_bytes not the peak",lab("FiguresAreTheirStamps")),
 ("lab/throughput.go","			r.TasksPerSec = stats.TasksPerSec(ts.Tasks, wall)","			r.TasksPerSec = stats.TasksPerSec(ts.Tasks-1, wall)","rate over one task fewer",lab("RateIsTasksOverItsWall")),
 ("lab/report/summary.go","r.Method, dur(sp.Startup), dur(sp.Image), dur(sp.Program), 100*sp.ProgramShare)","r.Method, dur(sp.Startup), dur(sp.Image), dur(sp.Startup-sp.Image), 100*sp.ProgramShare)","lesson: program start as startup less image"),
 ("lab/report/summary.go","slow.Method, times(slow.Ratio), dur(slow.Startup.Median))","slow.Method, times(slow.Ratio), dur(slow.Startup.Mean))","lesson: slowest's mean"),
 ("lab/report/summary.go","dur(g.AtLo), sizeText(g.Lo), dur(g.AtHi), sizeText(g.Hi), dur(g.PerGiB))","dur(g.AtLo), sizeText(g.Lo), dur(g.AtHi), sizeText(g.Hi), dur(g.AtHi-g.AtLo))","lesson: growth not per GiB"),
 ("lab/stats/lessons.go","return float64(ph.CPUNS) / float64(max(ph.Tasks, 1))","return float64(ph.CPUNS) / float64(ph.Tasks+1)","phase CPU per task off by one"),
]
only=sys.argv[1:] 
survivors=[]
for i,m in enumerate(M):
    f,old,new,what=m[:4]
    pkgs,run=m[4] if len(m)>4 else PURE
    if only and str(i) not in only: continue
    src=open(f).read()
    if old not in src:
        print(f"[{i}] NOT FOUND: {what}"); survivors.append((i,what,'not found')); continue
    open(f,'w').write(src.replace(old,new,1))
    try:
        if run is None:
            cmd, env = ['go','test','-count=1']+pkgs, dict(os.environ, CGO_ENABLED='0')
        else:
            cmd, env = ['go','test','-count=1']+STATIC+['-run',run]+pkgs, dict(os.environ)
        r=subprocess.run(cmd,env=env,capture_output=True,text=True,timeout=900)
        ok = r.returncode==0
        if ok:
            print(f"[{i}] SURVIVED: {what}"); survivors.append((i,what,'survived'))
        else:
            fails=[l for l in r.stdout.splitlines() if l.startswith('--- FAIL')]
            print(f"[{i}] caught: {what}: {' '.join(x.split()[2] for x in fails[:3])}")
    finally:
        open(f,'w').write(src)
print("survivors:",survivors)
sys.exit(1 if survivors else 0)
