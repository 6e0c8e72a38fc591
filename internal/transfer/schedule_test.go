package transfer

import (
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	mon10 := time.Date(2024, 3, 4, 10, 0, 5, 0, time.Local) // a Monday
	cases := []struct {
		name    string
		now     time.Time
		s       Schedule
		trigger string
		want    bool
	}{
		{"copyNow trumps everything", mon10, Schedule{TransferDay: "Off"}, TriggerCopyNow, true},
		{"daily at the transfer hour", mon10, Schedule{TransferDay: "Daily", TransferHour: "10", WakePiHour: "25"}, TriggerCron, true},
		{"daily at an unpadded hour", mon10, Schedule{TransferDay: "Daily", TransferHour: "10"}, TriggerCron, true},
		{"daily at the wake hour", mon10, Schedule{TransferDay: "Daily", TransferHour: "", WakePiHour: "10"}, TriggerCron, true},
		{"daily, wrong hour", mon10, Schedule{TransferDay: "Daily", TransferHour: "11", WakePiHour: "25"}, TriggerCron, false},
		{"weekday matches", mon10, Schedule{TransferDay: "Monday", TransferHour: "10"}, TriggerCron, true},
		{"other weekday", mon10, Schedule{TransferDay: "Tuesday", TransferHour: "10"}, TriggerCron, false},
		{"afterCopy never matches the day test", mon10, Schedule{TransferDay: "afterCopy", TransferHour: "10", WakePiHour: "10"}, TriggerCron, false},
		{"always-on 25 never matches", time.Date(2024, 3, 4, 1, 0, 0, 0, time.Local), Schedule{TransferDay: "Daily", WakePiHour: "25"}, TriggerCron, false},
		{"bootup with the flag", mon10, Schedule{TransferDay: "afterCopy", TransferOnBootup: true}, TriggerBootup, true},
		{"bootup without the flag", mon10, Schedule{TransferDay: "afterCopy"}, TriggerBootup, false},
		{"bootup at a matching hour runs anyway", mon10, Schedule{TransferDay: "Daily", WakePiHour: "10"}, TriggerBootup, true},
		{"the boot flag does not make a cron run", mon10, Schedule{TransferDay: "afterCopy", TransferOnBootup: true}, TriggerCron, false},
		{"junk hour", mon10, Schedule{TransferDay: "Daily", TransferHour: "ten"}, TriggerCron, false},
	}
	for _, c := range cases {
		got, why := Due(c.now, c.s, c.trigger)
		if got != c.want || why == "" {
			t.Errorf("%s: Due = %v (%q), want %v", c.name, got, why, c.want)
		}
	}
}
