package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// row is one figure of the report. A figure with a floor has a ratio; a target, when
// the issue sets one, is the largest acceptable ratio.
type row struct {
	section string
	figure  string
	value   float64
	floor   float64 // 0: none
	unit    string  // "s", "calls", "MiB", …
	target  float64 // largest acceptable value/floor; 0: none
	exact   bool    // the target is met only at exactly the floor
	spread  string  // how much the timed runs varied
	note    string
}

func (r row) ratio() float64 {
	if r.floor == 0 {
		return math.NaN()
	}
	return r.value / r.floor
}

func (b *bench) add(r row) {
	b.rows = append(b.rows, r)
	ratio := ""
	if r.floor != 0 {
		ratio = fmt.Sprintf("  (floor %s, %.2f×)", formatValue(r.floor, r.unit), r.ratio())
	}
	logf("%s: %s = %s%s", r.section, r.figure, formatValue(r.value, r.unit), ratio)
}

func (b *bench) note(format string, args ...any) {
	b.notes = append(b.notes, fmt.Sprintf(format, args...))
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "s":
		return fmt.Sprintf("%.2f s", v)
	case "calls", "fetches", "handshakes", "failures", "attempts":
		if v == math.Trunc(v) {
			return fmt.Sprintf("%.0f %s", v, unit)
		}
		return fmt.Sprintf("%.2f %s", v, unit)
	case "MiB":
		return fmt.Sprintf("%.1f MiB", v)
	default:
		return fmt.Sprintf("%g %s", v, unit)
	}
}

// report renders the machine, the figures and the notes as markdown.
func (b *bench) report() string {
	var s strings.Builder
	m := b.machine
	fmt.Fprintf(&s, "Run %s, mode %q, %s in all.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), b.o.mode, b.elapsed.Round(time.Second))
	fmt.Fprintf(&s, "- machine: %d CPUs (%s), %s RAM, %s/%s; load average %s at the start, %s at the end\n",
		m.cpus, m.cpuModel, m.memory, runtime.GOOS, runtime.GOARCH, m.loadStart, loadAverage())
	fmt.Fprintf(&s, "- tools: %s, %s, moto %s\n", b.tfVer, runtime.Version(), b.motoVersion())
	fmt.Fprintf(&s, "- command: `%s`\n", strings.Join(os.Args, " "))
	fmt.Fprintf(&s, "- times are the median of the timed runs (%d, or %d for N > 100); spread is (max − min) / median over them\n\n", b.o.runs, b.o.largeRuns)

	s.WriteString("| # | figure | value | floor | ratio | target | met | spread |\n")
	s.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range b.rows {
		floor, ratio, target, met := "—", "—", "—", "—"
		if r.floor != 0 {
			floor = formatValue(r.floor, r.unit)
			ratio = fmt.Sprintf("%.2f×", r.ratio())
		}
		if r.target != 0 {
			target = fmt.Sprintf("≤ %.2g×", r.target)
			if r.exact {
				target = "= floor"
			}
			met = "yes"
			if r.ratio() > r.target+1e-9 || (r.exact && math.Abs(r.value-r.floor) > 1e-9) {
				met = "**no**"
			}
		}
		figure := r.figure
		if r.note != "" {
			figure += " (" + r.note + ")"
		}
		spread := r.spread
		if spread == "" {
			spread = "—"
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.section, figure, formatValue(r.value, r.unit), floor, ratio, target, met, spread)
	}
	if len(b.notes) > 0 {
		s.WriteString("\n")
		for _, n := range b.notes {
			fmt.Fprintf(&s, "- %s\n", n)
		}
	}
	return s.String()
}

func (b *bench) motoVersion() string {
	if b.moto == nil {
		return "(not started)"
	}
	return b.moto.Version
}

type machine struct {
	cpus      int
	cpuModel  string
	memory    string
	loadStart string
}

func describeMachine() machine {
	m := machine{cpus: runtime.NumCPU(), cpuModel: "unknown CPU", memory: "unknown", loadStart: loadAverage()}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.cpuModel = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		var kib int64
		if _, err := fmt.Sscanf(v, "%d kB", &kib); err == nil {
			m.memory = fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
		}
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// maxRSSOf is a finished process's peak resident set size in KiB (Linux getrusage).
func maxRSSOf(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// samples are the durations of repeated runs of one thing.
type samples []time.Duration

func (s samples) median() time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func (s samples) spread() string {
	if len(s) < 2 {
		return "1 run"
	}
	med := s.median()
	if med == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(slices.Max(s)-slices.Min(s))/float64(med))
}

func seconds(d time.Duration) float64 { return d.Seconds() }

// updateResults replaces the block of mode in the results file (or appends it), so
// `make bench` and `make bench-large` each keep their own latest figures in one file,
// and the analysis written around the blocks stays.
func updateResults(path, mode, report string) error {
	begin := fmt.Sprintf("<!-- bench:%s:begin -->", mode)
	end := fmt.Sprintf("<!-- bench:%s:end -->", mode)
	block := begin + "\n" + report + end
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	content := string(old)
	i, j := strings.Index(content, begin), strings.Index(content, end)
	switch {
	case i >= 0 && j > i:
		content = content[:i] + block + content[j+len(end):]
	case content == "":
		content = "# Benchmark results\n\n" + block + "\n"
	default:
		content = strings.TrimRight(content, "\n") + "\n\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(content), 0o644) //nolint:gosec // a committed text file
}
