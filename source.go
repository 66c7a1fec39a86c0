// Package dl4go holds the module's own source code, embedded, for one purpose: the lesson kit
// (package lessons) hashes the code that trains and measures a lesson into the lesson's code
// revision, so that a checkpoint or saved outcome made by other code is never reused.
//
// Start with the lessons package; the README at the module's root describes the project.
package dl4go

import "embed"

// Sources is the engine, data and lesson code of this checkout: gomlxext, data and lessons with
// everything below them, and go.mod (the pinned GoMLX version). See lessons.Lesson.Revision.
//
//go:embed go.mod gomlxext data lessons
var Sources embed.FS
