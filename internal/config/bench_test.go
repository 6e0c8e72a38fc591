package config

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "good", "handedited.ini"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSettings(b *testing.B) {
	data, _ := os.ReadFile(filepath.Join("testdata", "good", "handedited.ini"))
	f, err := Parse(data, "bench")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f.Settings()
	}
}

// BenchmarkUpdate is one locked read-modify-write with fsync and rename.
func BenchmarkUpdate(b *testing.B) {
	s := testStore(b)
	i := 0
	for b.Loop() {
		i++
		if err := s.Update(func(f *File) error {
			f.Set(SectionGlobal, KeyWakePiHour, strconv.Itoa(i))
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
