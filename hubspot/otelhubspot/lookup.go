package otelhubspot

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// index is a map read without a lock on every call and copied on every
// write: the keys are the few combinations of operation, route, status
// and credential a program makes, found on every call and added once
// each. A Go map with a struct key hashes it with code made for the
// type, where a sync.Map hashes the key through its interface, walking
// the type at run time: on the path of every call, that difference is
// most of the metrics' cost.
type index[K comparable, V any] struct {
	mu sync.Mutex // serializes writers
	m  atomic.Pointer[map[K]*V]
}

// get returns the value of k, made by build the first time.
func (x *index[K, V]) get(k K, build func() *V) *V {
	if m := x.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.m.Load()
	var n map[K]*V
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
		n = make(map[K]*V, len(*old)+1)
		for k, v := range *old {
			n[k] = v
		}
	} else {
		n = make(map[K]*V, 1)
	}
	v := build()
	n[k] = v
	x.m.Store(&n)
	return v
}

// each calls f with every value, in no order.
func (x *index[K, V]) each(f func(*V)) {
	if m := x.m.Load(); m != nil {
		for _, v := range *m {
			f(v)
		}
	}
}

// attemptKey names what an attempt is recorded under.
type attemptKey struct {
	method, host, route, errType string
	status                       int
	cred, fp                     string
}

// attemptEntry is what an attempt records to.
type attemptEntry struct {
	// dur holds http.client.request.duration's attributes, as the slice
	// Record's variadic options take, so that recording allocates none.
	dur  []metric.RecordOption
	cred *credCount // nil for an attempt without a credential
}

// callKey names what a call is counted under.
type callKey struct {
	op, cred, fp, errType string
	status                int
}

// callEntry counts calls for hubspot.client.calls, an asynchronous
// counter read when metrics are collected: an atomic add on the call's
// path in place of a measurement through the SDK.
type callEntry struct {
	n   atomic.Int64
	set metric.ObserveOption
}

// attemptEntry returns the entry of an attempt.
func (t *Telemetry) attemptEntry(k attemptKey) *attemptEntry {
	return t.attempts.get(k, func() *attemptEntry {
		addr, port := hostPort(k.host)
		kv := []attribute.KeyValue{keyMethod.String(k.method), keyServer.String(addr)}
		if port != 0 {
			kv = append(kv, keyPort.Int(port))
		}
		if k.route != "" {
			kv = append(kv, keyTemplate.String(k.route))
		}
		if k.status != 0 {
			kv = append(kv, keyStatus.Int(k.status))
		}
		if k.errType != "" {
			kv = append(kv, keyErrorType.String(k.errType))
		}
		e := &attemptEntry{dur: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kv...))}}
		if k.status != 0 && (k.cred != "" || k.fp != "") {
			e.cred = t.credCount(k.cred, k.fp)
		}
		return e
	})
}

// callEntry returns the entry of a call.
func (t *Telemetry) callEntry(k callKey) *callEntry {
	return t.callCounts.get(k, func() *callEntry {
		kv := []attribute.KeyValue{keyOperation.String(k.op), keyCredential.String(k.cred), keyFingerprint.String(k.fp)}
		if k.status != 0 {
			kv = append(kv, keyStatus.Int(k.status))
		}
		if k.errType != "" {
			kv = append(kv, keyErrorType.String(k.errType))
		}
		return &callEntry{set: metric.WithAttributeSet(attribute.NewSet(kv...))}
	})
}
