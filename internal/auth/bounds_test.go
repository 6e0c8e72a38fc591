package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The password limits hold to the byte: MinPasswordLength for a new choice,
// bcrypt's 72 for anything stored.
func TestPasswordLengthLimitsExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	if err := SetPassword(path, "owner", strings.Repeat("p", MinPasswordLength-1)); err == nil {
		t.Errorf("a password of %d characters was accepted", MinPasswordLength-1)
	}
	if err := SetPassword(path, "owner", strings.Repeat("p", MinPasswordLength)); err != nil {
		t.Errorf("a password of exactly %d characters: %v", MinPasswordLength, err)
	}
	long := strings.Repeat("q", 72)
	if err := ImportPassword(path, "old", long); err != nil {
		t.Errorf("a 72-byte password: %v", err)
	} else if _, ok, _ := Check(path, "old", long); !ok {
		t.Error("the 72-byte password does not log in")
	}
	if err := ImportPassword(path, "older", long+"q"); err == nil {
		t.Error("a 73-byte password was stored (bcrypt would ignore its last byte)")
	}
}

// A malformed logins file names the line at fault, counting blank and comment lines.
func TestUsersNamesTheBadLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	body := "# logins\n\nowner:$2a$10$abcdefghijklmnopqrstuv\nnot a login\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Users(path)
	if err == nil || !strings.Contains(err.Error(), "line 4 ") {
		t.Fatalf("error %v, want one naming line 4", err)
	}
}
