// PerfOrch's Go driver: calls the target on the cases from perforchInputs (inputs.go).
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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
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

// ---- deep copies, made outside the timed region ----
//
// Each type gets a copy plan once (a function on raw memory), so copying a case costs about
// what a hand-written copy would, not a reflection walk. Pointers and maps met twice within
// one call's arguments stay shared in the copy, so aliasing and cycles survive.

func perforchCopyInto[T any](dst, src *T) {
	perforchDefaultCopier.reset()
	perforchPlanFor(reflect.TypeFor[T]()).copy(&perforchDefaultCopier, unsafe.Pointer(dst),
		unsafe.Pointer(src))
}

var perforchDefaultCopier perforchCopier

type perforchCopier struct {
	seen map[perforchSeen]unsafe.Pointer
}

// perforchSeen: the type tells a pointer to a struct from a pointer to its first field.
type perforchSeen struct {
	address unsafe.Pointer
	plan    *perforchPlan
}

func (c *perforchCopier) reset() {
	if len(c.seen) > 0 {
		clear(c.seen)
	}
}

func (c *perforchCopier) remember(key perforchSeen, fresh unsafe.Pointer) {
	if c.seen == nil {
		c.seen = map[perforchSeen]unsafe.Pointer{}
	}
	c.seen[key] = fresh
}

// copyValue deep-copies a reflect.Value (map entries, interface contents).
func (c *perforchCopier) copyValue(v reflect.Value) reflect.Value {
	source := reflect.New(v.Type())
	source.Elem().Set(v)
	fresh := reflect.New(v.Type())
	perforchPlanFor(v.Type()).copy(c, fresh.UnsafePointer(), source.UnsafePointer())
	return fresh.Elem()
}

type perforchPlan struct {
	copy func(c *perforchCopier, dst, src unsafe.Pointer)
}

var perforchPlans = map[reflect.Type]*perforchPlan{}

type perforchSliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func perforchPointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return t.Len() == 0 || perforchPointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !perforchPointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return t.Kind() <= reflect.Complex128 // bool, numbers
}

func perforchPlanFor(t reflect.Type) *perforchPlan {
	if plan, ok := perforchPlans[t]; ok {
		return plan
	}
	plan := &perforchPlan{}
	perforchPlans[t] = plan // before the parts: recursive types refer to it
	size := t.Size()
	switch {
	case perforchPointerFree(t):
		plan.copy = func(_ *perforchCopier, dst, src unsafe.Pointer) {
			copy(unsafe.Slice((*byte)(dst), size), unsafe.Slice((*byte)(src), size))
		}
	case t.Kind() == reflect.String:
		plan.copy = func(_ *perforchCopier, dst, src unsafe.Pointer) {
			*(*string)(dst) = *(*string)(src) // immutable: sharing is a copy
		}
	case t.Kind() == reflect.Func || t.Kind() == reflect.Chan ||
		t.Kind() == reflect.UnsafePointer:
		plan.copy = func(_ *perforchCopier, dst, src unsafe.Pointer) {
			*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(src) // shared, not copied
		}
	case t.Kind() == reflect.Pointer:
		plan.copy = perforchPointerPlan(t, plan)
	case t.Kind() == reflect.Slice:
		plan.copy = perforchSlicePlan(t)
	case t.Kind() == reflect.Array:
		elem, step, n := perforchPlanFor(t.Elem()), t.Elem().Size(), t.Len()
		plan.copy = func(c *perforchCopier, dst, src unsafe.Pointer) {
			for i := range n {
				elem.copy(c, unsafe.Add(dst, uintptr(i)*step), unsafe.Add(src, uintptr(i)*step))
			}
		}
	case t.Kind() == reflect.Struct:
		type part struct {
			offset uintptr
			plan   *perforchPlan
		}
		parts := make([]part, t.NumField())
		for i := range parts {
			parts[i] = part{t.Field(i).Offset, perforchPlanFor(t.Field(i).Type)}
		}
		plan.copy = func(c *perforchCopier, dst, src unsafe.Pointer) {
			for _, p := range parts {
				p.plan.copy(c, unsafe.Add(dst, p.offset), unsafe.Add(src, p.offset))
			}
		}
	case t.Kind() == reflect.Map:
		plan.copy = perforchMapPlan(t, plan)
	default: // interfaces
		plan.copy = func(c *perforchCopier, dst, src unsafe.Pointer) {
			v, out := reflect.NewAt(t, src).Elem(), reflect.NewAt(t, dst).Elem()
			if v.IsNil() {
				out.SetZero()
				return
			}
			out.Set(c.copyValue(v.Elem()))
		}
	}
	return plan
}

func perforchPointerPlan(t reflect.Type, self *perforchPlan) func(*perforchCopier, unsafe.Pointer,
	unsafe.Pointer) {
	target := t.Elem()
	elem := perforchPlanFor(target)
	return func(c *perforchCopier, dst, src unsafe.Pointer) {
		pointee := *(*unsafe.Pointer)(src)
		if pointee == nil || target.Size() == 0 {
			*(*unsafe.Pointer)(dst) = pointee
			return
		}
		key := perforchSeen{pointee, self}
		if done, ok := c.seen[key]; ok {
			*(*unsafe.Pointer)(dst) = done
			return
		}
		fresh := reflect.New(target).UnsafePointer()
		c.remember(key, fresh)
		elem.copy(c, fresh, pointee)
		*(*unsafe.Pointer)(dst) = fresh
	}
}

func perforchSlicePlan(t reflect.Type) func(*perforchCopier, unsafe.Pointer, unsafe.Pointer) {
	elemType := t.Elem()
	elem, step := perforchPlanFor(elemType), elemType.Size()
	flat := perforchPointerFree(elemType)
	return func(c *perforchCopier, dst, src unsafe.Pointer) {
		from := (*perforchSliceHeader)(src)
		to := (*perforchSliceHeader)(dst)
		if from.data == nil || step == 0 {
			*to = *from
			return
		}
		fresh := reflect.MakeSlice(t, from.len, from.len).UnsafePointer()
		if flat {
			n := uintptr(from.len) * step
			copy(unsafe.Slice((*byte)(fresh), n), unsafe.Slice((*byte)(from.data), n))
		} else {
			for i := range uintptr(from.len) {
				elem.copy(c, unsafe.Add(fresh, i*step), unsafe.Add(from.data, i*step))
			}
		}
		*to = perforchSliceHeader{fresh, from.len, from.len}
	}
}

func perforchMapPlan(t reflect.Type, self *perforchPlan) func(*perforchCopier, unsafe.Pointer,
	unsafe.Pointer) {
	return func(c *perforchCopier, dst, src unsafe.Pointer) {
		m, out := reflect.NewAt(t, src).Elem(), reflect.NewAt(t, dst).Elem()
		if m.IsNil() {
			out.SetZero()
			return
		}
		key := perforchSeen{m.UnsafePointer(), self}
		if done, ok := c.seen[key]; ok {
			out.Set(reflect.NewAt(t, unsafe.Pointer(&done)).Elem())
			return
		}
		fresh := reflect.MakeMapWithSize(t, m.Len())
		c.remember(key, fresh.UnsafePointer())
		entries := m.MapRange()
		for entries.Next() {
			fresh.SetMapIndex(c.copyValue(entries.Key()), c.copyValue(entries.Value()))
		}
		out.Set(fresh)
	}
}

// ---- canonical text: equal values give equal text ----

func perforchRenderTuple(pointers []any) string {
	if len(pointers) == 1 {
		return perforchRender(pointers[0])
	}
	parts := make([]string, len(pointers))
	for i, p := range pointers {
		parts[i] = perforchRender(p)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func perforchRenderList(pointers []any) string {
	parts := make([]string, len(pointers))
	for i, p := range pointers {
		parts[i] = perforchRender(p)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// perforchRender renders the value `pointer` points to (a pointer keeps its static type, so an
// interface-typed result is rendered as one).
func perforchRender(pointer any) string {
	r := perforchRenderer{visiting: map[perforchVisit]bool{}}
	r.value(reflect.ValueOf(pointer).Elem())
	return r.out.String()
}

type perforchRenderer struct {
	out      strings.Builder
	visiting map[perforchVisit]bool // pointers being rendered: a second visit is a cycle
}

// perforchVisit: with the type, a struct and its first field (same address) stay apart.
type perforchVisit struct {
	address uintptr
	t       reflect.Type
}

var (
	perforchErrorType    = reflect.TypeFor[error]()
	perforchStringerType = reflect.TypeFor[fmt.Stringer]()
	perforchPlainTypes   = map[reflect.Type]bool{reflect.TypeFor[int](): true,
		reflect.TypeFor[float64](): true, reflect.TypeFor[string](): true,
		reflect.TypeFor[bool](): true}
)

func (r *perforchRenderer) value(v reflect.Value) {
	if !v.IsValid() {
		r.out.WriteString("nil")
		return
	}
	t := v.Type()
	if t.Kind() != reflect.Interface && r.special(v) {
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		r.out.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		r.out.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Uintptr:
		r.out.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32:
		r.out.WriteString(perforchFloat(v.Float(), 32))
	case reflect.Float64:
		r.out.WriteString(perforchFloat(v.Float(), 64))
	case reflect.Complex64, reflect.Complex128:
		bits := 64
		if t.Kind() == reflect.Complex64 {
			bits = 32
		}
		z := v.Complex()
		fmt.Fprintf(&r.out, "(%s, %si)", perforchFloat(real(z), bits),
			perforchFloat(imag(z), bits))
	case reflect.String:
		r.out.WriteString(strconv.Quote(v.String()))
	case reflect.Slice:
		if v.IsNil() {
			r.out.WriteString("nil")
			return
		}
		r.sequence(v)
	case reflect.Array:
		r.sequence(v)
	case reflect.Map:
		r.mapping(v)
	case reflect.Struct:
		r.structure(v)
	case reflect.Pointer:
		r.pointer(v)
	case reflect.Interface:
		r.boxed(v)
	default: // funcs, channels, unsafe pointers: only whether they are set is comparable
		if v.IsNil() {
			r.out.WriteString("nil")
		} else {
			r.out.WriteString(t.String())
		}
	}
}

// special renders errors by their message and standard-library Stringers (time.Time, big.Int,
// time.Duration, ...) by String(); their fields hold caches and clocks, not their value.
func (r *perforchRenderer) special(v reflect.Value) bool {
	t := v.Type()
	isError := t.Implements(perforchErrorType)
	stringer := t.Implements(perforchStringerType) && perforchStandard(t)
	if !isError && !stringer || !v.CanInterface() {
		return false
	}
	if (t.Kind() == reflect.Pointer || t.Kind() == reflect.Map || t.Kind() == reflect.Slice) &&
		v.IsNil() {
		return false
	}
	text, ok := func() (text string, ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		if isError {
			return v.Interface().(error).Error(), true
		}
		return v.Interface().(fmt.Stringer).String(), true
	}()
	if !ok {
		return false
	}
	r.out.WriteString(t.String() + "(" + strconv.Quote(text) + ")")
	return true
}

func perforchStandard(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	path := t.PkgPath()
	return path != "" && !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") &&
		path != "main"
}

func (r *perforchRenderer) sequence(v reflect.Value) {
	r.out.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			r.out.WriteString(", ")
		}
		r.value(v.Index(i))
	}
	r.out.WriteByte(']')
}

func (r *perforchRenderer) mapping(v reflect.Value) {
	if v.IsNil() {
		r.out.WriteString("nil")
		return
	}
	type entry struct {
		key      reflect.Value
		keyText  string
		valueKey reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		sub := perforchRenderer{visiting: r.visiting}
		sub.value(iter.Key())
		entries = append(entries, entry{iter.Key(), sub.out.String(), iter.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if order, ok := perforchOrder(a.key, b.key); ok && order != 0 {
			return order
		}
		return strings.Compare(a.keyText, b.keyText)
	})
	r.out.WriteString("map[")
	for i, e := range entries {
		if i > 0 {
			r.out.WriteString(", ")
		}
		r.out.WriteString(e.keyText + ": ")
		r.value(e.valueKey)
	}
	r.out.WriteByte(']')
}

// perforchOrder compares map keys of ordered kinds by value (1 < 2 < 10), others by their text.
func perforchOrder(a, b reflect.Value) (int, bool) {
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return compareOrdered(a.Int(), b.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Uintptr:
		return compareOrdered(a.Uint(), b.Uint()), true
	case reflect.Float32, reflect.Float64:
		return compareOrdered(a.Float(), b.Float()), true
	case reflect.String:
		return strings.Compare(a.String(), b.String()), true
	}
	return 0, false
}

func compareOrdered[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r *perforchRenderer) structure(v reflect.Value) {
	t := v.Type()
	name := t.String()
	if t.Name() == "" {
		name = "struct"
	}
	r.out.WriteString(name + "{")
	for i := range t.NumField() {
		if i > 0 {
			r.out.WriteString(", ")
		}
		r.out.WriteString(t.Field(i).Name + ": ")
		r.value(v.Field(i))
	}
	r.out.WriteByte('}')
}

func (r *perforchRenderer) pointer(v reflect.Value) {
	if v.IsNil() {
		r.out.WriteString("nil")
		return
	}
	address := perforchVisit{v.Pointer(), v.Type()}
	if r.visiting[address] {
		r.out.WriteString("<cycle>")
		return
	}
	r.visiting[address] = true
	r.out.WriteByte('&')
	r.value(v.Elem())
	delete(r.visiting, address)
}

// boxed renders an interface's dynamic value; a basic value other than int, float64, string
// and bool shows its type, since int64(1) and 1 in an `any` are not equal.
func (r *perforchRenderer) boxed(v reflect.Value) {
	if v.IsNil() {
		r.out.WriteString("nil")
		return
	}
	inner := v.Elem()
	kind := inner.Kind()
	basic := kind <= reflect.Complex128 || kind == reflect.String
	if basic && !perforchPlainTypes[inner.Type()] && !r.wouldBeSpecial(inner) {
		r.out.WriteString(inner.Type().String() + "(")
		r.value(inner)
		r.out.WriteByte(')')
		return
	}
	r.value(inner)
}

func (r *perforchRenderer) wouldBeSpecial(v reflect.Value) bool {
	t := v.Type()
	return t.Implements(perforchErrorType) ||
		(t.Implements(perforchStringerType) && perforchStandard(t))
}

// perforchFloat prints the shortest text that reads back as the same float, always with a
// decimal point or exponent so a float never looks like an int.
func perforchFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	text := strconv.FormatFloat(f, 'g', -1, bits)
	if !strings.ContainsAny(text, ".e") {
		text += ".0"
	}
	return text
}
