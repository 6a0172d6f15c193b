// PerfOrch's Go driver: calls the target on the cases from perforchInputs (inputs.go).
// Argument copies are in go_driver_copy.go, canonical text in go_driver_render.go.
//
// Speaks the driver protocol in sandbox/languages/_protocol.py. The typed parts (argument and
// result structs, the call itself) are generated per target into perforch_glue.go:
//
//	perforchTarget, perforchParams    the function's name and parameter types, for messages
//	perforchCall, perforchOut         one call's typed arguments and results
//	perforchSink                      the package-level sink the timed results are kept in
//	perforchCases()                   the cases from the inputs file
//	perforchUnpack(case)              typed arguments from one case ([]any)
//	perforchInvoke(calls, out)        calls the target on each element; a panic is recovered
//	perforchArgs / perforchResults    pointers to arguments / results, for rendering
//
// Standard library only: it is compiled inside the sandbox without network.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	perforchMinSampleNs = 10_000_000
	perforchChunkCalls  = 4096    // argument copies prepared ahead per timed chunk
	perforchChunkBytes  = 8 << 20 // ... and about this many bytes at most (they stay in cache)
	perforchGCBytes     = 8 << 20 // collect before a timed chunk once copies made this much garbage
)

var perforchStdout = bufio.NewWriterSize(os.Stdout, 1<<16)

func main() {
	perforchResetPeakRSS()
	if len(os.Args) < 2 {
		perforchFail(2, "usage: %s outputs | cases | bench ITERATIONS SAMPLES WARMUP_MS", os.Args[0])
	}
	templates := perforchLoad()
	switch os.Args[1] {
	case "outputs":
		perforchOutputs(templates)
	case "bench":
		if len(os.Args) != 5 {
			perforchFail(2, "bench needs ITERATIONS SAMPLES WARMUP_MS")
		}
		numbers := make([]int, 3)
		for i, text := range os.Args[2:5] {
			n, err := strconv.Atoi(text)
			if err != nil || n < 0 {
				perforchFail(2, "bench: %q is not a non-negative integer", text)
			}
			numbers[i] = n
		}
		perforchBench(templates, numbers[0], numbers[1], numbers[2])
	case "cases":
		perforchTimeEach(templates)
	default:
		perforchFail(2, "unknown driver mode %q", os.Args[1])
	}
	perforchStdout.Flush()
}

func perforchFail(code int, format string, args ...any) {
	perforchStdout.Flush()
	fmt.Fprintf(os.Stderr, "perforch: "+format+"\n", args...)
	os.Exit(code)
}

func perforchEmit(fields ...any) {
	var line bytes.Buffer
	encoder := json.NewEncoder(&line)
	encoder.SetEscapeHTML(false)
	line.WriteByte('{')
	for i := 0; i < len(fields); i += 2 {
		if i > 0 {
			line.WriteString(", ")
		}
		_ = encoder.Encode(fields[i])
		line.Truncate(line.Len() - 1) // Encode ends each value with a newline
		line.WriteString(": ")
		_ = encoder.Encode(fields[i+1])
		line.Truncate(line.Len() - 1)
	}
	line.WriteString("}\n")
	perforchStdout.Write(line.Bytes())
	perforchStdout.Flush()
}

// perforchLoad reads the cases and converts them to typed calls once, before anything is timed.
func perforchLoad() []perforchCall {
	var cases [][]any
	func() {
		defer func() {
			if r := recover(); r != nil {
				perforchFail(3, "perforchInputs panicked: %s", perforchPanicText(r))
			}
		}()
		cases = perforchCases()
	}()
	if len(cases) == 0 {
		perforchFail(3, "the inputs file defines no cases: perforchInputs is empty")
	}
	templates := make([]perforchCall, len(cases))
	for i, c := range cases {
		call, err := perforchUnpack(c)
		if err != nil {
			perforchFail(3, "inputs case %d: %v (%s takes %s)", i, err, perforchTarget,
				perforchParams)
		}
		templates[i] = call
	}
	return templates
}

func perforchOutputs(templates []perforchCall) {
	calls := make([]perforchCall, 1)
	out := make([]perforchOut, 1)
	for i := range templates {
		perforchCopyInto(&calls[0], &templates[i])
		if _, failure := perforchInvoke(calls, out); failure != nil {
			perforchEmit("case", i, "error", perforchPanicText(failure))
			continue
		}
		perforchEmit("case", i, "result", perforchRenderTuple(perforchResults(&out[0])),
			"args", perforchRenderList(perforchArgs(&calls[0])))
	}
	perforchEmit(perforchClosing(1)...)
}

func perforchBench(templates []perforchCall, iterations, samples, warmupMs int) {
	b := perforchNewBench(templates)
	if iterations == 0 {
		iterations = 1
		for {
			elapsed := float64(b.timedPasses(iterations))
			// Near the threshold the fastest of three tries counts: a cold or preempted try
			// overstates the time, and the samples after it would come out under 10 ms.
			for retry := 0; retry < 2 && elapsed >= perforchMinSampleNs &&
				elapsed < 10*perforchMinSampleNs; retry++ {
				elapsed = math.Min(elapsed, float64(b.timedPasses(iterations)))
			}
			if elapsed >= perforchMinSampleNs {
				// Scaled to the minimum plus a margin, down as well as up: doubling past a try
				// just under the minimum overshoots by up to 2x, and every sample pays for it.
				iterations = max(1, int(math.Ceil(float64(iterations)*1.25*perforchMinSampleNs/elapsed)))
				break
			}
			grow := math.Min(perforchMinSampleNs/math.Max(elapsed, 1)*1.2, 100)
			iterations = max(iterations*2, int(math.Ceil(float64(iterations)*grow)))
		}
		perforchEmit("calibrated", iterations)
	}
	iterations = b.warmUp(iterations, warmupMs)
	for range samples {
		perforchEmit("ns", b.timedPasses(iterations))
	}
	perforchEmit(perforchClosing(iterations)...)
}

// warmUp runs at least one round, then rounds until warmupMs has passed. A round under the
// minimum (the count was calibrated under load, or in another process) raises the count to
// 1.2x the minimum and warm-up goes on; the count returned is the one the samples use. A
// raised count must clear 1.1x in the faster of two rounds: it was scaled from a round that
// may not represent the rest, and one preempted round could pass for long enough.
func (b *perforchBenchState) warmUp(iterations, warmupMs int) int {
	deadline := time.Now().Add(time.Duration(warmupMs) * time.Millisecond)
	least, rounds := float64(perforchMinSampleNs), 1
	for {
		elapsed := float64(b.timedPasses(iterations))
		for round := 1; round < rounds; round++ {
			elapsed = math.Min(elapsed, float64(b.timedPasses(iterations)))
		}
		if elapsed < least {
			least, rounds = 1.1*perforchMinSampleNs, 2
			wanted := math.Min(100, 1.2*perforchMinSampleNs/math.Max(elapsed, 1))
			iterations = max(iterations+1, int(math.Ceil(float64(iterations)*wanted)))
		} else if !time.Now().Before(deadline) {
			return iterations
		}
	}
}

const perforchCaseNs = 2_000_000 // `cases` mode: timed calls per case, at least this long

// perforchTimeEach times each case on its own (which inputs cost the most): one untimed call,
// then batches of calls on fresh copies until perforchCaseNs of calls, each batch sized from
// the time per call so far. A panicking call is timed like any other.
func perforchTimeEach(templates []perforchCall) {
	for i := range templates {
		b := perforchNewBench(templates[i : i+1])
		b.resumePanics = true
		b.timedPasses(1) // warm: caches, lazy initialisation; its time is not counted
		calls, batch, elapsed := 0, 1, int64(0)
		for elapsed < perforchCaseNs {
			elapsed += b.timedPasses(batch)
			calls += batch
			perCall := float64(max(elapsed, 1)) / float64(calls)
			wanted := math.Ceil(float64(perforchCaseNs-elapsed) / perCall)
			batch = int(max(1, min(float64(batch*2), wanted)))
		}
		perforchEmit("case", i, "ns_per_call", float64(elapsed)/float64(calls))
	}
}

type perforchBenchState struct {
	templates    []perforchCall
	calls        []perforchCall
	out          []perforchOut
	chunkPasses  int
	bytesPerPass uint64
	garbage      uint64
	resumePanics bool // go on after a panicking call (cases mode) instead of failing the run
}

func perforchNewBench(templates []perforchCall) *perforchBenchState {
	// Measure what one pass of copies allocates, to bound the copies held per chunk.
	var before, after runtime.MemStats
	probe := make([]perforchCall, len(templates))
	runtime.ReadMemStats(&before)
	for i := range templates {
		perforchCopyInto(&probe[i], &templates[i])
	}
	runtime.ReadMemStats(&after)
	bytesPerPass := after.TotalAlloc - before.TotalAlloc
	passes := max(1, perforchChunkCalls/len(templates))
	if bytesPerPass > 0 {
		passes = max(1, min(passes, int(perforchChunkBytes/bytesPerPass)))
	}
	n := passes * len(templates)
	return &perforchBenchState{templates: templates, calls: make([]perforchCall, n),
		out: make([]perforchOut, n), chunkPasses: passes, bytesPerPass: bytesPerPass}
}

// timedPasses times `passes` passes over all cases. Each call gets a fresh deep copy of its
// arguments, made before the clock starts; results go to the package-level sink.
func (b *perforchBenchState) timedPasses(passes int) int64 {
	var total time.Duration
	for done := 0; done < passes; {
		chunk := min(b.chunkPasses, passes-done)
		n := chunk * len(b.templates)
		calls, out := b.calls[:n], b.out[:n]
		for k := range calls {
			perforchCopyInto(&calls[k], &b.templates[k%len(b.templates)])
		}
		// Garbage from the copies must not trigger a collection inside the timed region.
		b.garbage += b.bytesPerPass * uint64(chunk)
		if b.garbage >= perforchGCBytes {
			runtime.GC()
			b.garbage = 0
		}
		start := time.Now()
		at, failure := perforchInvoke(calls, out)
		for next := 0; failure != nil && b.resumePanics; {
			next += at + 1
			at, failure = perforchInvoke(calls[next:], out[next:])
		}
		total += time.Since(start)
		if failure != nil {
			perforchFail(1, "case %d panicked while timing: %s", at%len(b.templates),
				perforchPanicText(failure))
		}
		perforchSink = out
		done += chunk
	}
	return total.Nanoseconds()
}

func perforchResetPeakRSS() {
	// Resets VmHWM, so the peak reported is this process's own, not its parent's.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func perforchClosing(iterations int) []any {
	peak := int64(0)
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmHWM:" {
				peak, _ = strconv.ParseInt(fields[1], 10, 64)
			}
		}
	}
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	if peak == 0 {
		peak = usage.Maxrss
	}
	cpu := usage.Utime.Nano() + usage.Stime.Nano()
	return []any{"peak_rss_kb", peak, "cpu_ns", cpu, "iterations", iterations}
}

// perforchPanicText is "<Type>: <message>", the protocol's form for an exception.
func perforchPanicText(r any) string {
	name := strings.ReplaceAll(fmt.Sprintf("%T", r), ":", "")
	return fmt.Sprintf("%s: %v", name, r)
}

// ---- inputs: typed arguments from the cases ----

func perforchArity(c []any, fixed int, variadic bool) error {
	if len(c) == fixed || (variadic && len(c) >= fixed) {
		return nil
	}
	if variadic {
		return fmt.Errorf("has %d arguments, want at least %d", len(c), fixed)
	}
	return fmt.Errorf("has %d arguments, want %d", len(c), fixed)
}

// perforchArg sets *dst from case argument i (the type comes from dst: no type names needed).
func perforchArg[T any](dst *T, c []any, i int) error {
	if v, ok := c[i].(T); ok {
		*dst = v
		return nil
	}
	slot := reflect.ValueOf(dst).Elem()
	v, err := perforchConvert(c[i], slot.Type())
	if err != nil {
		return fmt.Errorf("argument %d: %v", i, err)
	}
	slot.Set(v)
	return nil
}

// perforchRest sets *dst to the case's arguments from `from` on (a variadic parameter).
func perforchRest[T any](dst *[]T, c []any, from int) error {
	rest := make([]T, len(c)-from)
	for i := range rest {
		if err := perforchArg(&rest[i], c, from+i); err != nil {
			return err
		}
	}
	*dst = rest
	return nil
}

// perforchConvert takes what a Go literal in an []any gives (untyped constants become int,
// float64, string) to the parameter type: nil to a nil-able type, numbers when the value
// survives the conversion, and between types with the same underlying kind (named types).
func perforchConvert(value any, want reflect.Type) (reflect.Value, error) {
	if value == nil {
		switch want.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan,
			reflect.Func, reflect.UnsafePointer:
			return reflect.Zero(want), nil
		}
		return reflect.Value{}, fmt.Errorf("nil is not a %s", want)
	}
	v := reflect.ValueOf(value)
	if v.Type().AssignableTo(want) {
		out := reflect.New(want).Elem()
		out.Set(v)
		return out, nil
	}
	if perforchNumeric(v.Kind()) && perforchNumeric(want.Kind()) {
		converted := v.Convert(want)
		// To a float anything goes (rounded, as a constant in Go source would be); to an
		// integer only what comes back unchanged (no truncated 1.5, no wrapped 300 in a uint8).
		if want.Kind() == reflect.Float32 || want.Kind() == reflect.Float64 ||
			converted.Convert(v.Type()).Equal(v) {
			return converted, nil
		}
		return reflect.Value{}, fmt.Errorf("%v (%s) does not fit in %s", value, v.Type(), want)
	}
	if v.Kind() == want.Kind() && v.Type().ConvertibleTo(want) {
		return v.Convert(want), nil
	}
	return reflect.Value{}, fmt.Errorf("got %s, want %s", v.Type(), want)
}

func perforchNumeric(kind reflect.Kind) bool {
	return (kind >= reflect.Int && kind <= reflect.Uintptr) || kind == reflect.Float32 ||
		kind == reflect.Float64
}
