package web

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestLoginRecordTTL(t *testing.T) {
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		remember bool
		after    time.Duration
		want     time.Duration
	}{
		{false, 0, sessionIdle},
		{false, sessionAbsolute - time.Hour, time.Hour}, // the absolute end cuts the idle time short
		{false, sessionAbsolute, 0},
		{true, 0, rememberIdle},
		{true, rememberAbsolute - time.Minute, time.Minute},
		{true, rememberAbsolute + time.Second, -time.Second},
	} {
		rec := loginRecord{User: "admin", Created: start.Unix(), Remember: tc.remember}
		if got := rec.ttl(start.Add(tc.after)); got != tc.want {
			t.Errorf("remember=%v after %v: ttl %v, want %v", tc.remember, tc.after, got, tc.want)
		}
	}
	if passwordTag([]byte("$2a$10$a")) == passwordTag([]byte("$2a$10$b")) {
		t.Error("two hashes share a tag")
	}
	if redisKey("abc") == redisKey("abd") || strings.Contains(redisKey("secret-id"), "secret-id") {
		t.Error("redisKey gives the id away or collides")
	}
}

func TestShortenForFlash(t *testing.T) {
	long := strings.Repeat("é", 2000)
	msg := shortenForFlash(`Nothing was saved: FTP server "` + long + `": not a host name.`)
	if len(msg) > maxFlashText+len("…") {
		t.Errorf("message of %d bytes kept", len(msg))
	}
	if !strings.HasSuffix(msg, `…": not a host name.`) || !utf8.ValidString(msg) {
		t.Errorf("quoted value not shortened legibly: %q", msg)
	}
	short := `FTP server "ftp.example.com": no answer.`
	if got := shortenForFlash(short); got != short {
		t.Errorf("a short message changed: %q", got)
	}
	plain := strings.Repeat("x", 3000)
	if got := shortenForFlash(plain); len(got) != maxFlashText+len("…") {
		t.Errorf("an unquoted 3 kB message became %d bytes", len(got))
	}
}
