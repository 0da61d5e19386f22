package render

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pcapcheck/pcapcheck/internal/engine"
)

// jsonRenderer writes the documented JSON schema, indented by two spaces,
// byte for byte what encoding/json's indented encoder writes (a test holds
// it to that). It streams: a report of a million flows is never one encoded
// document in memory, and the flows of a streamed report (analyze.Stream)
// are made one at a time as they are written. Plain strings, numbers and times are written directly;
// anything else, and any string that needs escaping, goes through
// encoding/json, which escapes C0 control characters and markup and
// replaces invalid UTF-8. escapeC1 then escapes the C1 controls encoding/json
// leaves raw, so untrusted strings come out as data whatever displays them.
type jsonRenderer struct{}

func (jsonRenderer) Analysis(w io.Writer, r *engine.Report) error { return writeJSON(w, r) }

func (jsonRenderer) Comparison(w io.Writer, c *engine.Comparison) error { return writeJSON(w, c) }

func writeJSON(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	e := &jsonStream{w: bw}
	e.value(reflect.ValueOf(v), "")
	e.flushScratch()
	if e.err != nil {
		return e.err
	}
	if _, err := bw.WriteString("\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// jsonStream writes one value at a time into a scratch buffer that is
// handed to the writer every few kilobytes; the first error stops it.
type jsonStream struct {
	w   *bufio.Writer
	b   []byte
	err error
}

func (e *jsonStream) flushScratch() {
	if e.err == nil && len(e.b) > 0 {
		_, e.err = e.w.Write(escapeC1(e.b))
	}
	e.b = e.b[:0]
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	timeType      = reflect.TypeFor[time.Time]()
	reportType    = reflect.TypeFor[engine.Report]()
	reportFlows   = func() int { f, _ := reportType.FieldByName("Flows"); return f.Index[0] }()
)

// encoderFunc writes one value of a type at the given indentation.
type encoderFunc func(e *jsonStream, v reflect.Value, indent string)

// encoders holds the encoder of every type written so far: the checks that
// choose one (is it a time, a json.Marshaler...) are made once a type, not
// once a value.
var encoders sync.Map // reflect.Type → encoderFunc

// encoderOf returns t's encoder, making it the first time. A type that
// contains itself finds a stand-in that waits for the real encoder.
func encoderOf(t reflect.Type) encoderFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encoderFunc)
	}
	var (
		wg sync.WaitGroup
		f  encoderFunc
	)
	wg.Add(1)
	standIn, loaded := encoders.LoadOrStore(t, encoderFunc(func(e *jsonStream, v reflect.Value, indent string) {
		wg.Wait()
		f(e, v, indent)
	}))
	if loaded {
		return standIn.(encoderFunc)
	}
	f = newEncoder(t)
	wg.Done()
	encoders.Store(t, f)
	return f
}

// value writes v at the given indentation, handing the scratch buffer to
// the writer between values when it has grown.
func (e *jsonStream) value(v reflect.Value, indent string) {
	e.encode(encoderOf(v.Type()), v, indent)
}

// encode writes v with enc, its type's encoder.
func (e *jsonStream) encode(enc encoderFunc, v reflect.Value, indent string) {
	if e.err != nil {
		return
	}
	if len(e.b) > 32<<10 {
		e.flushScratch()
	}
	enc(e, v, indent)
}

// newEncoder chooses how values of t are written, in the order
// encoding/json chooses.
func newEncoder(t reflect.Type) encoderFunc {
	switch {
	case t == timeType:
		return func(e *jsonStream, v reflect.Value, _ string) {
			e.b = append(e.b, '"')
			e.b = v.Interface().(time.Time).AppendFormat(e.b, time.RFC3339Nano)
			e.b = append(e.b, '"')
		}
	case t.Implements(jsonMarshaler):
		return (*jsonStream).leaf
	case t.Implements(textMarshaler) && t.Kind() != reflect.Pointer:
		return func(e *jsonStream, v reflect.Value, _ string) {
			text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				e.err = err
				return
			}
			e.str(string(text))
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := encoderOf(t.Elem())
		return func(e *jsonStream, v reflect.Value, indent string) {
			if v.IsNil() {
				e.b = append(e.b, "null"...)
				return
			}
			e.encode(elem, v.Elem(), indent)
		}
	case reflect.Struct:
		return newStructEncoder(t)
	case reflect.Slice:
		elem := encoderOf(t.Elem())
		return func(e *jsonStream, v reflect.Value, indent string) {
			if v.IsNil() {
				e.b = append(e.b, "null"...)
				return
			}
			if v.Len() == 0 {
				e.b = append(e.b, "[]"...)
				return
			}
			inner := indent + "  "
			e.b = append(e.b, "[\n"...)
			for i := range v.Len() {
				if i > 0 {
					e.b = append(e.b, ",\n"...)
				}
				e.b = append(e.b, inner...)
				e.encode(elem, v.Index(i), inner)
			}
			e.b = append(e.b, '\n')
			e.b = append(e.b, indent...)
			e.b = append(e.b, ']')
		}
	case reflect.String:
		return func(e *jsonStream, v reflect.Value, _ string) { e.str(v.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(e *jsonStream, v reflect.Value, _ string) { e.b = strconv.AppendInt(e.b, v.Int(), 10) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(e *jsonStream, v reflect.Value, _ string) { e.b = strconv.AppendUint(e.b, v.Uint(), 10) }
	case reflect.Bool:
		return func(e *jsonStream, v reflect.Value, _ string) { e.b = strconv.AppendBool(e.b, v.Bool()) }
	}
	return (*jsonStream).leaf
}

// field is how one struct field is written.
type field struct {
	index     int
	key       []byte // `"name": `
	omitEmpty bool
	enc       encoderFunc
}

// fieldsOf lists a struct type's JSON fields.
func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		key, _ := json.Marshal(name)
		fs = append(fs, field{index: i, key: append(key, ':', ' '), omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
			enc: encoderOf(sf.Type)})
	}
	return fs
}

// newStructEncoder writes a struct's fields as encoding/json names and
// omits them. The flows of a streamed analyze.Report are made as they are
// written.
func newStructEncoder(t reflect.Type) encoderFunc {
	fields := fieldsOf(t)
	return func(e *jsonStream, v reflect.Value, indent string) {
		inner := indent + "  "
		var streamed *engine.Report
		if t == reportType && v.CanAddr() {
			if r := v.Addr().Interface().(*engine.Report); r.Streaming() {
				streamed = r
			}
		}
		n := 0
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			if n == 0 {
				e.b = append(e.b, "{\n"...)
			} else {
				e.b = append(e.b, ",\n"...)
			}
			n++
			e.b = append(e.b, inner...)
			e.b = append(e.b, f.key...)
			if streamed != nil && f.index == reportFlows {
				// The fields after the flows (summary, warnings) are
				// complete once the flows are made.
				e.flows(streamed, inner)
				continue
			}
			e.encode(f.enc, fv, inner)
		}
		if n == 0 {
			e.b = append(e.b, "{}"...)
			return
		}
		e.b = append(e.b, '\n')
		e.b = append(e.b, indent...)
		e.b = append(e.b, '}')
	}
}

// flows writes the flows of a streamed report as they are made, as value
// writes a slice.
func (e *jsonStream) flows(r *engine.Report, indent string) {
	flowEncoder := encoderOf(reflect.TypeFor[engine.Flow]())
	inner := indent + "  "
	n := 0
	err := r.EachFlow(func(f *engine.Flow) error {
		if n == 0 {
			e.b = append(e.b, "[\n"...)
		} else {
			e.b = append(e.b, ",\n"...)
		}
		n++
		e.b = append(e.b, inner...)
		e.encode(flowEncoder, reflect.ValueOf(f).Elem(), inner)
		return e.err
	})
	if err != nil {
		e.err = err
		return
	}
	if n == 0 {
		e.b = append(e.b, "[]"...)
		return
	}
	e.b = append(e.b, '\n')
	e.b = append(e.b, indent...)
	e.b = append(e.b, ']')
}

// str writes a string: directly when no byte of it needs escaping, else
// through encoding/json.
func (e *jsonStream) str(s string) {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			quoted, _ := json.Marshal(s)
			e.b = append(e.b, quoted...)
			return
		}
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, s...)
	e.b = append(e.b, '"')
}

// jsonPlain holds the bytes encoding/json writes as they are: printable
// ASCII but the quote, the backslash and the markup characters it escapes.
var jsonPlain = func() (plain [256]bool) {
	for c := 0x20; c < 0x7F; c++ {
		plain[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return plain
}()

// leaf encodes v with encoding/json, indented to sit at indent.
func (e *jsonStream) leaf(v reflect.Value, indent string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(indent, "  ")
	if err := enc.Encode(v.Interface()); err != nil {
		e.err = err
		return
	}
	e.b = append(e.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// isEmpty is encoding/json's test for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// escapeC1 rewrites the C1 control characters U+0080 to U+009F (UTF-8
// C2 80 to C2 9F) as \u00XX. Valid JSON holds them only inside strings,
// where the escape means the same character. A chunk never splits such a
// sequence: chunks end between values.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xC2}) {
		return b
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+64)
	for i := 0; i < len(b); i++ {
		if b[i] == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F {
			out = append(out, '\\', 'u', '0', '0', hex[b[i+1]>>4], hex[b[i+1]&0xF])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}
