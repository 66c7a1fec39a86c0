package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dl4go/dl4go/kernel"
	"github.com/dl4go/dl4go/notebook"
)

// lessonNotebook is one notebook of the checkout's notebooks/ folder.
type lessonNotebook struct {
	Path string
	Meta notebook.LessonMeta
}

// ID returns the notebook's lesson id ("01"), from its metadata or its file name.
func (l lessonNotebook) ID() string {
	if l.Meta.ID != "" {
		return l.Meta.ID
	}
	id, _, _ := strings.Cut(filepath.Base(l.Path), "-")
	return id
}

// catalog lists the notebooks in root/notebooks, sorted by file name.
func catalog(root string) ([]lessonNotebook, error) {
	paths, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []lessonNotebook
	for _, p := range paths {
		nb, err := notebook.Read(p)
		if err != nil {
			return nil, err
		}
		out = append(out, lessonNotebook{Path: p, Meta: nb.Lesson()})
	}
	return out, nil
}

// errUnknownLesson is wrapped by resolveNotebooks for an argument that is neither a file nor a lesson id.
var errUnknownLesson = errors.New("unknown lesson")

// resolveNotebooks maps each argument (a lesson id such as "01" or "1", a
// topic such as "rl", or a path) to a notebook path. No arguments: every notebook.
func resolveNotebooks(args []string) ([]string, error) {
	root, rootErr := kernel.FindRoot(".")
	var cat []lessonNotebook
	if rootErr == nil {
		var err error
		if cat, err = catalog(root); err != nil {
			return nil, err
		}
	}
	if len(args) == 0 {
		if rootErr != nil {
			return nil, rootErr
		}
		var paths []string
		for _, l := range cat {
			paths = append(paths, l.Path)
		}
		return paths, nil
	}
	var paths []string
	for _, a := range args {
		if strings.HasSuffix(a, ".ipynb") || strings.ContainsRune(a, os.PathSeparator) {
			paths = append(paths, a)
			continue
		}
		found := ""
		for _, l := range cat {
			base := strings.TrimSuffix(filepath.Base(l.Path), ".ipynb")
			_, topic, _ := strings.Cut(base, "-")
			if a == l.ID() || fmt.Sprintf("%02s", a) == l.ID() || a == topic || a == base {
				found = l.Path
				break
			}
		}
		if found == "" {
			var ids []string
			for _, l := range cat {
				ids = append(ids, fmt.Sprintf("  %s  %s", l.ID(), strings.TrimSuffix(filepath.Base(l.Path), ".ipynb")))
			}
			return nil, fmt.Errorf("%w %q; valid lessons:\n%s", errUnknownLesson, a, strings.Join(ids, "\n"))
		}
		paths = append(paths, found)
	}
	return paths, nil
}
