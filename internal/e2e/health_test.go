package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// beatState is the part of the beat's body these tests read.
type beatState struct {
	OK         bool     `json:"ok"`
	Failures   []string `json:"failures"`
	Arduino    string   `json:"arduino"`
	Version    string   `json:"version"`
	LastUpload *struct {
		Text   string `json:"text"`
		Failed bool   `json:"failed"`
	} `json:"last_upload"`
}

// healthBeat runs the boot beat and returns what the receiver got from it.
func healthBeat(t *testing.T, b *Box, rcv *Receiver) []Received {
	t.Helper()
	before := rcv.Count()
	if code, out := b.Oneshot("--boot"); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, out, b.ReadFile("heartbeat.log"))
	}
	return rcv.Since(before)
}

func decodeBeat(t *testing.T, body string) beatState {
	t.Helper()
	var s beatState
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	return s
}

// The health in the beat, through the built binaries: a healthy box, a failed
// upload, the option off, and a receiver that answers 500.
func TestHeartbeatHealth(t *testing.T) {
	rcv := NewReceiver(t)
	// FTP to a port nobody listens on: the upload fails.
	closed := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	transfer := "[Transfer]\ntfrmethod = Off\nftpserver = " + closed + "\nftpuser = u\nftppassword = p\nftpremotefolder = /x/\ntransferday = Off\ntransferhour = 00\ntransferonbootup = on\ndeleteaftertransfer = Off\n\n"
	ini := func(method, health string) string {
		s := strings.Replace(monitoringINI("5", rcv.URL+"/ping"), "[Transfer]\ntfrmethod = Off\ndeleteaftertransfer = Off\n\n", strings.Replace(transfer, "tfrmethod = Off", "tfrmethod = "+method, 1), 1)
		return s + health
	}
	b := StartBox(t, ini("Off", ""))

	t.Run("healthy box: one POST with the state", func(t *testing.T) {
		got := healthBeat(t, b, rcv)
		if len(got) != 1 || got[0].Method != "POST" || got[0].Path != "/ping" {
			t.Fatalf("receiver got %+v, want one POST /ping", got)
		}
		s := decodeBeat(t, got[0].Body)
		if !s.OK || s.Arduino != "ok" || s.Version == "" {
			t.Fatalf("state %+v\n%s", s, got[0].Body)
		}
		// The simulated board ships without a voltmeter, as the real one
		// does: no battery_v here (internal/health's tests cover it).
		for _, key := range []string{`"arduino_temp_c"`, `"pi_temp_c"`, `"pi":{"free_bytes"`, `"camera":{"state"`, `"last_shot"`, `"uptime_s"`} {
			if !strings.Contains(got[0].Body, key) && !(key == `"pi_temp_c"` && noThermalZone()) {
				t.Errorf("body lacks %s:\n%s", key, got[0].Body)
			}
		}
		if kept := b.ReadFile("hbbody.json"); kept != got[0].Body {
			t.Fatalf("hbbody.json %q, sent %q", kept, got[0].Body)
		}
		t.Logf("beat body: %d bytes", len(got[0].Body))
	})

	t.Run("failed upload: the next beat goes to /fail with the reason", func(t *testing.T) {
		b.WriteINI(ini("FTP", ""))
		b.RunOneshot("pitransfer", "bootup")
		got := healthBeat(t, b, rcv)
		if len(got) != 1 || got[0].Method != "POST" || got[0].Path != "/ping/fail" {
			t.Fatalf("receiver got %+v, want one POST /ping/fail", got)
		}
		s := decodeBeat(t, got[0].Body)
		if s.OK || s.LastUpload == nil || !s.LastUpload.Failed || len(s.Failures) == 0 || !strings.HasPrefix(s.Failures[0], "last upload failed: ") {
			t.Fatalf("state %+v\n%s", s, got[0].Body)
		}
	})

	t.Run("option off: a plain GET", func(t *testing.T) {
		b.WriteINI(ini("Off", "heartbeathealth = Off\n"))
		got := healthBeat(t, b, rcv)
		if len(got) != 1 || got[0].Method != "GET" || got[0].Path != "/ping" || got[0].Body != "" {
			t.Fatalf("receiver got %+v, want one GET /ping", got)
		}
		if b.ReadFile("hbbody.json") != "" {
			t.Fatal("hbbody.json kept after a plain GET")
		}
	})

	t.Run("receiver answers 500: exactly one retry", func(t *testing.T) {
		b.WriteINI(ini("Off", ""))
		rcv.status.Store(500)
		defer rcv.status.Store(200)
		before := rcv.Count()
		if code, _ := b.Oneshot("--boot"); code == 0 {
			t.Fatal("exit 0 after two 500s")
		}
		got := rcv.Since(before)
		if len(got) != 2 || got[0].Method != "POST" || got[1].Method != "POST" || got[1].Body == "" {
			t.Fatalf("receiver got %+v, want two POSTs", got)
		}
	})
}

// noThermalZone is true on machines (containers, some VMs) without a SoC
// temperature: the body then has no pi_temp_c.
func noThermalZone() bool {
	_, err := os.Stat("/sys/class/thermal/thermal_zone0/temp")
	return err != nil
}

// BenchmarkHeartbeatHealth reports the /heartbeat round trip with the health
// body off and on (and on with a push to a real Pushgateway), the body's
// size, and the worker's CPU time per beat.
func BenchmarkHeartbeatHealth(b *testing.B) {
	rcv := NewReceiver(b)
	gw := startPushgateway(b)
	base := monitoringINI("5", rcv.URL+"/ping")
	box := StartBox(b, base+"heartbeathealth = Off\n")
	for _, mode := range []struct{ name, ini string }{{"health-off", base + "heartbeathealth = Off\n"}, {"health-on", base}, {"health-on-push", base + "pushgatewayurl = " + gw + "\n"}} {
		b.Run(mode.name, func(b *testing.B) {
			box.WriteINI(mode.ini)
			cpu0 := cpuOf(box.worker.Process.Pid)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				resp, err := http.Get(box.LocalURL + "/heartbeat")
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuOf(box.worker.Process.Pid)-cpu0)/float64(b.N)*10, "worker-cpu-ms/beat")
			b.ReportMetric(float64(len(box.ReadFile("hbbody.json"))), "body-bytes")
			rss, _ := memOf(box.worker.Process.Pid)
			b.ReportMetric(rss/1024, "worker-RSS-MB")
		})
	}
}

// cpuOf is a process's user + system CPU time in clock ticks (1/100 s).
func cpuOf(pid int) int64 {
	data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}
