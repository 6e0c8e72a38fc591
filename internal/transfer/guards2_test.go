package transfer

import (
	"os"
	"testing"
)

// Tests for the mutants that lived in the re-run of the guard files
// (docs/mutants.md, "Re-run of the guard files"). Named TestLedger*,
// TestRun* and TestUpload* so the mutants plan (scripts/mutants.plan)
// selects them.

// An uploadedOK.txt that exists but is empty (emptied by hand, or a copy
// made before its first line was written) opens as a ledger holding
// nothing, and the next record is its first line.
func TestLedgerEmptyFileOpens(t *testing.T) {
	p := newHome(t)
	if err := os.WriteFile(p.UploadedOK(), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := OpenLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.seen) != 0 {
		t.Fatalf("an empty ledger holds %v", l.seen)
	}
	if err := l.Record("/a/b.JPG"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p.UploadedOK()); string(b) != "/a/b.JPG\n" {
		t.Fatalf("ledger file %q", b)
	}
}
