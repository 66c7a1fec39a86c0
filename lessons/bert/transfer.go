package bert

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// transferEncoder copies the pre-trained encoder (scope /bert: embeddings and blocks) of src into a
// fresh context seeded with seed; with frozen, the copies are not trainable, so that training the
// new context only changes its new head.
func transferEncoder(src *context.Context, seed uint64, frozen bool) (*context.Context, error) {
	dst := newContext(seed)
	n := 0
	for v := range src.IterVariables() {
		if !strings.HasPrefix(v.Scope(), "/"+scopeEncoder) {
			continue
		}
		val, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("bert: copy %s: %w", v.ScopeAndName(), err)
		}
		c, err := val.Clone()
		if err != nil {
			return nil, fmt.Errorf("bert: copy %s: %w", v.ScopeAndName(), err)
		}
		nv := dst.InAbsPath(v.Scope()).VariableWithValue(v.Name(), c)
		nv.SetTrainable(!frozen)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("bert: no encoder variables to transfer")
	}
	return dst.Checked(false), nil // the copied variables are reused, the head's are created.
}
