package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
)

// fakeClients returns clients over client-go's fake clientset holding the
// objects of a kubectl List (JSON); Istio objects go to the dynamic
// client.
func fakeClients(t *testing.T, lists ...[]byte) *clients {
	t.Helper()
	var typed []runtime.Object
	var istio []runtime.Object
	for _, data := range lists {
		var l struct{ Items []json.RawMessage }
		require.NoError(t, json.Unmarshal(data, &l))
		for _, raw := range l.Items {
			var meta struct{ APIVersion, Kind string }
			require.NoError(t, json.Unmarshal(raw, &meta))
			if gv, _ := schema.ParseGroupVersion(meta.APIVersion); gv.Group == "networking.istio.io" {
				u := &unstructured.Unstructured{}
				require.NoError(t, u.UnmarshalJSON(raw))
				istio = append(istio, u)
				continue
			}
			obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(bytes.TrimSpace(raw), nil, nil)
			require.NoError(t, err, string(raw))
			typed = append(typed, obj)
		}
	}
	listKinds := map[schema.GroupVersionResource]string{}
	for _, v := range []string{"v1", "v1beta1"} {
		listKinds[schema.GroupVersionResource{Group: "networking.istio.io", Version: v, Resource: "sidecars"}] = "SidecarList"
		listKinds[schema.GroupVersionResource{Group: "networking.istio.io", Version: v, Resource: "serviceentries"}] = "ServiceEntryList"
	}
	for kind, k := range kinds {
		listKinds[k.gvr] = kind + "List"
	}
	return &clients{
		kube: fake.NewSimpleClientset(typed...),
		dyn:  dynfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, istio...),
	}
}
