package ossxml

import (
	"reflect"
	"strings"
)

// The walks below visit the values encoding/xml reads and writes: strings
// and byte slices reached through exported struct fields, pointers, slices,
// arrays and interfaces. Unexported fields and maps are left alone, as
// encoding/xml leaves them.

// needsProtect reports whether any string reachable from v holds a character
// that XML 1.0 forbids.
func needsProtect(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return strings.IndexFunc(v.String(), forbidden) >= 0
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() && needsProtect(v.Field(i)) {
				return true
			}
		}
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && needsProtect(v.Elem())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return strings.IndexFunc(string(v.Bytes()), forbidden) >= 0
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			if needsProtect(v.Index(i)) {
				return true
			}
		}
	}
	return false
}

// cloneProtected returns a deep copy of v in which every reachable string
// has been passed through protect. v itself is not modified.
func cloneProtected(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		c := reflect.New(v.Type()).Elem()
		c.SetString(protect(v.String()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				c.Field(i).Set(cloneProtected(v.Field(i)))
			}
		}
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(cloneProtected(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cloneProtected(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			c := reflect.New(v.Type()).Elem()
			c.SetBytes([]byte(protect(string(v.Bytes()))))
			return c
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(cloneProtected(v.Index(i)))
		}
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			c.Index(i).Set(cloneProtected(v.Index(i)))
		}
		return c
	}
	return v
}

// restoreValue replaces, in place, every escape in the strings reachable
// from the settable value v with the character it stands for.
func restoreValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); v.CanSet() && strings.ContainsRune(s, marker) {
			v.SetString(unprotect(s))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				restoreValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			restoreValue(v.Elem())
		}
	case reflect.Interface:
		// encoding/xml decodes through an interface only into the
		// pointer it holds.
		if !v.IsNil() && v.Elem().Kind() == reflect.Pointer {
			restoreValue(v.Elem())
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if b := v.Bytes(); v.CanSet() && strings.ContainsRune(string(b), marker) {
				v.SetBytes([]byte(unprotect(string(b))))
			}
			return
		}
		fallthrough
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			restoreValue(v.Index(i))
		}
	}
}
