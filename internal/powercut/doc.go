// Package powercut holds the power-cut tests: the copy from the camera, the
// upload and a settings save, each cut at every fsync and rename it makes on
// a lazyfs mount (internal/testutil/lazyfs) holding the box's --home, then
// run again; after each, nothing may be lost or torn. It has no code of its
// own: see powercut_test.go.
package powercut
