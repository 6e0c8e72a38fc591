package mutantcanary

import "testing"

// Deliberately misses the boundary (a == b): that mutant must live.
func TestAbove(t *testing.T) {
	if !Above(2, 1) || Above(1, 2) {
		t.Fatalf("Above(2, 1) = %v, Above(1, 2) = %v", Above(2, 1), Above(1, 2))
	}
}
