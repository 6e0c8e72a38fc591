// Package auth keeps the web logins: one "name:bcrypt-hash" line per user in
// a credentials file (never a password in code or in the INI).
package auth

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// ErrNoUsers means the credentials file has no login yet.
var ErrNoUsers = errors.New("no web login is set: run `intvlm8r-web passwd NAME`")

// validName is what a login made here may be called.
var validName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// storedName is what the credentials file can hold: a name set here, or one
// imported from the Python original, whose logins were the keys of a dict
// typed by hand (any text). Only what the file's format cannot carry is out:
// ':', control characters, a leading '#' or space, and more than 64 runes.
var storedName = regexp.MustCompile(`^[^\s:#\x00-\x1f\x7f][^:\x00-\x1f\x7f]{0,63}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// dummyHash is compared against when the name is unknown, so a wrong name
// costs as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not-a-password"), bcrypt.DefaultCost)

// Users reads the credentials file: lower-cased name → hash.
func Users(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read logins: %w", err)
	}
	users := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hash, ok := strings.Cut(line, ":")
		if !ok || !storedName.MatchString(name) || !strings.HasPrefix(hash, "$2") {
			return nil, fmt.Errorf("read logins: %s line %d is not name:bcrypt-hash", path, n)
		}
		users[strings.ToLower(name)] = []byte(hash)
	}
	return users, nil
}

// Check returns the canonical (lower-case) name when name and password match
// a login. Names are case-insensitive, as in the original.
func Check(path, name, password string) (string, bool, error) {
	users, err := Users(path)
	if err != nil {
		return "", false, err
	}
	if len(users) == 0 {
		return "", false, ErrNoUsers
	}
	key := strings.ToLower(strings.TrimSpace(name))
	hash, found := users[key]
	if !found {
		hash = dummyHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !found {
		return "", false, nil
	}
	return key, true, nil
}

// SetPassword creates or changes a login, rewriting the file crash-safely
// with mode 0600. The name and the password are checked: this is a login
// someone is choosing now.
func SetPassword(path, name, password string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("login name %q: use 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	if len(password) < MinPasswordLength {
		return fmt.Errorf("password too short: at least %d characters", MinPasswordLength)
	}
	return store(path, name, password)
}

// ImportPassword stores a login the Python original already had, as it was:
// no minimum length (the original set none) and any name the file can hold,
// so an upgraded box keeps letting in whoever it let in before.
func ImportPassword(path, name, password string) error {
	name = strings.TrimSpace(name)
	if !storedName.MatchString(name) {
		return fmt.Errorf("login name %q cannot be stored (it has a ':' or a control character, or is empty or too long)", name)
	}
	if password == "" {
		return errors.New("empty password: not imported")
	}
	return store(path, name, password)
}

func store(path, name, password string) error {
	if len(password) > 72 {
		return errors.New("password too long: at most 72 bytes (bcrypt's limit)")
	}
	lock, err := fileutil.LockExclusive(path + ".lock")
	if err != nil {
		return err
	}
	defer lock.Unlock()
	users, err := Users(path)
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	users[strings.ToLower(name)] = hash
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# intvlm8r web logins: name:bcrypt-hash. Change with `intvlm8r-web passwd NAME`.\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s:%s\n", n, users[n])
	}
	return fileutil.WriteAtomic(path, []byte(b.String()), 0o600)
}
