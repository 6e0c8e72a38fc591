package ctxutil

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"zero, live", live, 0, nil},
		{"negative, live", live, -time.Second, nil},
		{"short, live", live, time.Millisecond, nil},
		{"zero, cancelled", done, 0, context.Canceled},
		{"negative, cancelled", done, -time.Second, context.Canceled},
		{"long, cancelled", done, time.Hour, context.Canceled},
	} {
		if err := Sleep(c.ctx, c.d); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: Sleep = %v, want %v", c.name, err, c.want)
		}
	}
}

// A cancel during the wait ends it with the context's error.
func TestSleepEndsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Sleep(ctx, time.Hour) }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep after cancel = %v, want context.Canceled", err)
	}
}
