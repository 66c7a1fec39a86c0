package front

import "testing"

func TestIsComplete(t *testing.T) {
	tests := []struct {
		code, status, indent string
	}{
		{"", "complete", ""},
		{"x := 1", "complete", ""},
		{"func f() int {", "incomplete", "    "},
		{"func f() int {\n\treturn 1", "incomplete", "    "},
		{"func f() int {\n\treturn 1\n}", "complete", ""},
		{"import (\n\t\"fmt\"", "incomplete", "    "},
		{"var s = `raw\nstring", "incomplete", ""},
		{"/* open comment", "incomplete", ""},
		{"x := 1 +", "incomplete", "    "},
		{"fmt.Println(", "incomplete", "    "},
		{"%%\nfmt.Println(1)", "complete", ""},
		{"%%\nfmt.Println(\"hi\")", "complete", ""},
		{"//gonb:%%\nfmt.Println(1)", "complete", ""},
		{"// Works with the prefix too.\n//gonb:%%\nfmt.Println(\"Works with //gonb:\")", "complete", ""},
		{"//gonb:%%", "incomplete", ""},
		{"%main\nfmt.Println(1)", "complete", ""},
		{"%main", "incomplete", ""},
		{"import \"fmt\"\n\n%%\nfmt.Println(1)", "complete", ""},
		{"!*ls -l", "complete", ""},
		{"!*go get github.com/janpfeifer/gonb@v0.11.1", "complete", ""},
		{"//gonb:!ls \\", "incomplete", ""},
		{"%goflags -cover", "complete", ""},
		{"%goflags", "complete", ""},
		{"%env GOMLX_BACKEND dl4go", "complete", ""},
		{"%help", "complete", ""},
		{"func f() int { return 1 }\nvar x = f()\ntype T struct{}", "complete", ""},
		{"%%writefile notes.txt", "incomplete", ""},
		{"%%writefile notes.txt\nany text: { not Go", "complete", ""},
		{"%%bash\necho $((1 +", "complete", ""},
		{"%%\nfmt.Println(1)\nfmt.Println(2)\n", "complete", ""},
		{"%%", "incomplete", ""},
		{"%%\nfor i := 0; i < 3; i++ {", "incomplete", "    "},
		{"%%\nif x {\n\tfor {", "incomplete", "        "},
		{"!ls -l", "complete", ""},
		{"!ls \\", "incomplete", ""},
		{"!echo a \\\n  b", "complete", ""},
		{"%help", "complete", ""},
		{"1+2", "complete", ""},
		{"}", "invalid", ""},
		{"func ) f(", "invalid", ""},
		{"x := )", "invalid", ""},
		{"var 1x = 2", "invalid", ""},
	}
	for _, tc := range tests {
		got := IsComplete(tc.code)
		if got.Status != tc.status || got.Indent != tc.indent {
			t.Errorf("IsComplete(%q) = %+v, want %s %q", tc.code, got, tc.status, tc.indent)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		code string
		want cellKind
	}{
		{"1+2", exprCell},
		{"x*2", exprCell},
		{"model.Summary()", exprCell},
		{"  x  \n", exprCell},
		{`fmt.Println("hi")`, stmtCell},
		{`panic("x")`, stmtCell},
		{"var x = 1", plainCell},
		{"func f() {}", plainCell},
		{"%%\nx*2", plainCell},
		{"!ls", plainCell},
		{"x := 1", plainCell},
		{"", plainCell},
		{"import \"fmt\"", plainCell},
		{"// Make sure the //gonb: prefix will work as well.\n//gonb:%%\nfmt.Println(\"Works with //gonb:\")", plainCell},
		{"//gonb:!ls", plainCell},
		{"x := 1\n//gonb:%exec f", plainCell},
	}
	for _, tc := range tests {
		if got := classify(tc.code); got != tc.want {
			t.Errorf("classify(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}
