package front

import (
	"go/parser"
	"html"
	"strings"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
)

// helpTarget returns the expression of a "?name" / "name?" cell.
func helpTarget(code string) (string, bool) {
	t := strings.TrimSpace(code)
	if strings.Contains(t, "\n") || len(t) < 2 {
		return "", false
	}
	var e string
	switch {
	case strings.HasPrefix(t, "?"):
		e = strings.TrimLeft(t, "?")
	case strings.HasSuffix(t, "?"):
		e = strings.TrimRight(t, "?")
	default:
		return "", false
	}
	e = strings.TrimSpace(e)
	if _, err := parser.ParseExpr(e); err != nil || e == "" {
		return "", false
	}
	return e, true
}

// inspect asks GoNB (gopls) for the documentation of expr, as a %% statement,
// and returns the mime bundle, with text/plain always present; nil if none.
func (f *front) inspect(expr string) map[string]any {
	code := completePrefix + expr
	req := wire.NewMessage("inspect_request", nil, f.session, map[string]any{
		"code": code, "cursor_pos": len([]rune(code)), "detail_level": 0})
	ch := f.expectOwn(req.Header.MsgID)
	defer f.forgetOwnLater(req.Header.MsgID)
	if err := f.sendBackend(&f.gShell, req); err != nil {
		f.logf("inspect: %v", err)
		return nil
	}
	timeout := time.After(f.inspectTimeout)
	for {
		select {
		case m := <-ch:
			if m.Header.MsgType != "inspect_reply" {
				continue
			}
			var r struct {
				Found bool           `json:"found"`
				Data  map[string]any `json:"data"`
			}
			if m.Unmarshal(&r) != nil || !r.Found || len(r.Data) == 0 {
				return nil
			}
			if _, ok := r.Data["text/plain"]; !ok {
				for _, k := range []string{"text/markdown", "text/html"} {
					if v, ok := r.Data[k].(string); ok {
						r.Data["text/plain"] = html.UnescapeString(reTags.ReplaceAllString(v, ""))
						break
					}
				}
			}
			return r.Data
		case <-timeout:
			f.logf("inspect %s: no reply within %v", expr, f.inspectTimeout)
			return nil
		}
	}
}
