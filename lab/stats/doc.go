// Package stats computes every figure proclab shows, once. The comparison
// table, the JSON summary, bench.txt, CSV, the plots, report.md's
// sentences, diff, calibrate and rate all read what this package returns;
// none computes a median, a ratio or a crossover of its own.
//
// Three rules hold everywhere:
//
//   - One grouping key (Key): method, parent size, n_tasks and n_iters, and,
//     when documents are pooled (diff), the experiment a run belongs to
//     (Experiment: the kind of part and the settings that change timings).
//   - One rule for which tasks enter a figure (Counts, WallCounts): a
//     failed, timed-out or interrupted task never does, nor a warmup round;
//     how many were left out is carried with every figure (Group.LeftOut).
//   - One summary (Summarize): n, median, p10, p90, mean, stddev, min, max.
//
// Like package results it is pure Go and measures nothing.
package stats
