package transfer

import (
	"os"
	"testing"
)

// A power cut can leave the last STATUS line torn; the Home page must show
// the last status written in full, never the fragment.
func TestLastStatusIgnoresTornLine(t *testing.T) {
	p := newHome(t)
	LogStatus(p, "3 of 3 files uploaded OK")
	f, err := os.OpenFile(p.TransferLog(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("2026/12/07 13:20:00 STATUS: Upload abo") // no newline: torn
	f.Close()
	if _, text, ok, err := LastStatus(p); err != nil || !ok || text != "3 of 3 files uploaded OK" {
		t.Fatalf("LastStatus = %q, %v, %v; want the last whole status", text, ok, err)
	}
}
