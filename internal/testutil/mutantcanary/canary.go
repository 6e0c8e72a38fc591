// Package mutantcanary is `make mutants`' check on itself. Gremlins makes two
// mutants of Above (`>=` and `<=`); the test below kills the second only. A
// run that reports anything but one killed and one lived is not running the
// tests the way it claims (gremlins v0.6.0's --test-cpu once made every
// mutant fail to start, and all of them counted KILLED).
package mutantcanary

// Above reports whether a is greater than b.
func Above(a, b int) bool { return a > b }
