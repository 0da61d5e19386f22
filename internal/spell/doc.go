// Package spell finds the known word a misspelled one was meant to be, for
// the "did you mean" of an error: a flag, a field of an Istio object, a pod
// name. It holds no state; every function is safe to call from any
// goroutine and allocates only its small distance rows.
package spell
