// PerfOrch's Go driver, part two: deep copies of a call's arguments (see go_driver.go).
//
// Standard library only: it is compiled inside the sandbox without network.
package main

import (
	"reflect"
	"unsafe"
)

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
