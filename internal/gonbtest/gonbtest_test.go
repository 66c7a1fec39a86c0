package gonbtest

import "testing"

func TestMatchSequence(t *testing.T) {
	lines := []string{"a", "+*Out[1]:*+", "----", "hello", "----", "x", "+*Out[2]:*+", "----", "bye", "----"}
	for _, tc := range []struct {
		groups [][]string
		ok     bool
	}{
		{[][]string{{OutLine(1), Sep, "hello", Sep}, {OutLine(2), Sep, "bye", Sep}}, true},
		{[][]string{{OutLine(2), Sep}, {OutLine(1)}}, false}, // order matters
		{[][]string{{OutLine(1), Sep, "bye"}}, false},        // consecutive within a group
		{[][]string{{"hel"}, {"by"}}, true},
		{[][]string{{OutLine(3)}}, false},
	} {
		if err := MatchSequence(lines, tc.groups); (err == nil) != tc.ok {
			t.Errorf("%q: %v, want ok=%v", tc.groups, err, tc.ok)
		}
	}
}
