module github.com/intvlm8r/intvlm8r-go

go 1.26.8

require (
	github.com/creack/pty v1.1.24
	github.com/redis/go-redis/v9 v9.23.0
	go.bug.st/serial v1.8.0
	golang.org/x/term v0.48.0
	periph.io/x/conn/v3 v3.7.3
	periph.io/x/host/v3 v3.8.5
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
