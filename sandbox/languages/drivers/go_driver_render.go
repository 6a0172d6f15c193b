// PerfOrch's Go driver, part three: results and arguments as canonical text (see go_driver.go).
//
// Standard library only: it is compiled inside the sandbox without network.
package main

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

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
