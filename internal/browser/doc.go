// Package browser runs dl4go in a real JupyterLab and Notebook 7 (from PyPI, in a pinned
// virtualenv) driven by Debian's Chromium (through playwright-core from npm), for the
// end-to-end tests of this package.
//
// Start with [FindEnv], which locates what the tests need and says how to install what is
// missing (`.ci/jupyter-env` and `apt-get install chromium`), then [StartLab], which serves a
// folder of notebooks on 127.0.0.1 with a token and fresh Jupyter directories, and
// [Env.Drive], which runs driver.mjs (this folder) on one request and decodes its report. The
// tests (lab_test.go) decide what passes; the driver only reports what the page shows.
//
// Every process started here (jupyter, node, chromium) runs in its own process group, is
// stopped when its [Server] closes or its context ends, and dies with the test process on
// Linux (parent-death signal). The package is Linux-only, like Debian's Chromium it drives.
package browser
