package config

import (
	"errors"
	"time"
)

// Section names (case-sensitive, as configparser has them).
const (
	SectionGlobal     = "Global"
	SectionThresholds = "Thresholds"
	SectionTransfer   = "Transfer"
	SectionCopy       = "Copy"
	SectionMonitoring = "Monitoring"
)

// Key names, lower-case as they are on disk (lookups ignore case anyway).
const (
	KeyFileCreated     = "file created"
	KeyLocationName    = "locationname"
	KeyThumbsCount     = "thumbscount"
	KeyEnableCameraUSB = "enablecamerausb"
	KeyWakePiHour      = "wakepihour"

	KeyDaysFreeWarn  = "daysfreewarn"
	KeyDaysFreeAlarm = "daysfreealarm"
	KeyVoltageHigh   = "voltage_high"
	KeyVoltageLow    = "voltage_low"

	KeyTfrMethod       = "tfrmethod"
	KeyFTPServer       = "ftpserver"
	KeyFTPUser         = "ftpuser"
	KeyFTPPassword     = "ftppassword"
	KeyFTPRemoteFolder = "ftpremotefolder"
	// KeyFTPActive is this port's: the original had no key and always used
	// active mode, so its absence means active (see transfer.FromINI).
	KeyFTPActive = "ftpactive"
	// KeyFTPTLS and KeyFTPTLSInsecure are this port's too: on, explicit
	// FTPS (AUTH TLS); on, a self-signed certificate is accepted.
	KeyFTPTLS              = "ftptls"
	KeyFTPTLSInsecure      = "ftptlsinsecure"
	KeySFTPServer          = "sftpserver"
	KeySFTPUser            = "sftpuser"
	KeySFTPPassword        = "sftppassword"
	KeySFTPRemoteFolder    = "sftpremotefolder"
	KeyDropboxAppKey       = "dbx_app_key"
	KeyRsyncUsername       = "rsyncusername"
	KeyRsyncHost           = "rsynchost"
	KeyRsyncRemoteFolder   = "rsyncremotefolder"
	KeyGoogleRemoteFolder  = "googleremotefolder" // legacy, read by nothing
	KeyTransferDay         = "transferday"
	KeyTransferHour        = "transferhour"
	KeyTransferOnBootup    = "transferonbootup"
	KeyDeleteAfterTransfer = "deleteaftertransfer"
	KeyCopyDay             = "copyday"
	KeyCopyHour            = "copyhour"
	KeyCopyOnBootup        = "copyonbootup"
	KeyRenameOnCopy        = "renameoncopy"
	KeyRenameString        = "renamestring"
	KeyDeleteAfterCopy     = "deleteaftercopy"
	KeyHeartbeatFrequency  = "heartbeatfrequency"
	KeyHeartbeatURL        = "heartbeaturl"
	// KeyHeartbeatHealth is this port's: the beat carries the box's state
	// (package health). A missing key means On.
	KeyHeartbeatHealth = "heartbeathealth"
	// KeyPushgatewayURL is this port's: a Prometheus Pushgateway the worker
	// pushes the box's metrics to at every beat ("" or missing: none).
	KeyPushgatewayURL = "pushgatewayurl"
)

// DefaultLocationName is the location shown when the INI has none.
const DefaultLocationName = "Intvlm8r"

// FileCreatedLayout is the date format of Global/"file created", as the
// original writes it with strftime("%0d %b %Y"): "01 Dec 2026".
const FileCreatedLayout = "02 Jan 2006"

// Settings is the typed view of every key the software uses.
type Settings struct {
	Global struct {
		FileCreated, LocationName string
		ThumbsCount               int
		EnableCameraUSB           bool
		WakePiHour                string
	}
	Thresholds struct{ DaysFreeWarn, DaysFreeAlarm, VoltageHigh, VoltageLow int }
	Transfer   TransferSettings
	Copy       CopySettings
	Monitoring struct {
		HeartbeatFrequency, HeartbeatURL, PushgatewayURL string
		HeartbeatHealth                                  bool
	}
}

// TransferSettings is [Transfer]: the one shape the Transfer page shows
// and saves, and the uploader (transfer.Settings) runs from. A key added
// here, to Settings() below and to the page's field table
// (view.TransferFields) is all a new transfer setting needs.
type TransferSettings struct {
	Method string // tfrmethod: Off, FTP, SFTP, Dropbox, rsync (case-insensitive)

	FTPServer       string // host[:port], an ftp:// prefix is ignored
	FTPUser         string
	FTPPassword     string
	FTPRemoteFolder string
	FTPActive       bool // active mode (PORT/EPRT), as the original always; else passive
	FTPTLS          bool // explicit FTPS (AUTH TLS), control and data protected
	FTPTLSInsecure  bool // accept any server certificate (self-signed NAS)

	SFTPServer       string // host[:port], an sftp:// prefix is ignored
	SFTPUser         string
	SFTPPassword     string // optional when a key in ~/.ssh is authorised
	SFTPRemoteFolder string

	DropboxAppKey string // dbx_app_key; the refresh token is in ~/www/Dropbox_token.txt

	RsyncUsername     string
	RsyncHost         string // host[:port]
	RsyncRemoteFolder string

	TransferDay, TransferHour string
	TransferOnBootup          bool
	DeleteAfterTransfer       bool
}

// CopySettings is [Copy]: the camera-to-Pi copy's schedule and renaming.
type CopySettings struct {
	CopyDay, CopyHour          string
	CopyOnBootup, RenameOnCopy bool
	RenameString               string
	DeleteAfterCopy            bool
}

// DefaultFTPActive is the mode of an INI without the ftpactive key: one the
// original wrote, which always uploaded in active mode (set_pasv(False)).
const DefaultFTPActive = true

// Defaults is what Settings gives for keys missing from the file, as the
// original's pages and helpers default them. Where they disagreed, the
// helper that acts on the value wins: copyhour defaults to "00" (the copy
// helper's), heartbeatfrequency to "Off".
func Defaults() Settings {
	var s Settings
	s.Global.LocationName = DefaultLocationName
	s.Global.ThumbsCount = 24
	s.Global.EnableCameraUSB = true
	s.Global.WakePiHour = "25"
	s.Thresholds.DaysFreeWarn = 14
	s.Thresholds.DaysFreeAlarm = 7
	s.Thresholds.VoltageHigh = 14
	s.Thresholds.VoltageLow = 9
	s.Transfer.Method = "Off"
	s.Transfer.FTPActive = DefaultFTPActive
	s.Copy.CopyDay = "Off"
	s.Copy.CopyHour = "00"
	s.Monitoring.HeartbeatFrequency = "Off"
	s.Monitoring.HeartbeatHealth = true
	return s
}

// NewFile returns the content the original writes when it first creates the
// INI: [Global] with the creation date, hostname and 24 thumbnails, [Transfer]
// off, [Copy] daily at 14:00; and this port's ftpactive = Off. An empty hostname gives DefaultLocationName.
func NewFile(hostname string, created time.Time) *File {
	if hostname == "" {
		hostname = DefaultLocationName
	}
	f := &File{}
	f.Set(SectionGlobal, KeyFileCreated, created.Format(FileCreatedLayout))
	f.Set(SectionGlobal, KeyLocationName, hostname)
	f.Set(SectionGlobal, KeyThumbsCount, "24")
	f.Set(SectionTransfer, KeyTfrMethod, "Off")
	f.Set(SectionTransfer, KeyDeleteAfterTransfer, "Off")
	// Passive on a new install: the Pi makes every connection, which works
	// through the NAT of a mobile router. Written out, because a missing key
	// means active, what the original always used.
	f.Set(SectionTransfer, KeyFTPActive, "Off")
	f.Set(SectionCopy, KeyCopyDay, "Daily")
	f.Set(SectionCopy, KeyCopyHour, "14")
	f.Set(SectionCopy, KeyDeleteAfterCopy, "Off")
	return f
}

// Settings reads every key the software uses, defaulting the missing ones
// (see Defaults). A malformed boolean or integer takes its default too, and
// the error lists every such key with its value.
func (f *File) Settings() (Settings, error) {
	s := Defaults()
	var errs []error
	str := func(dst *string, sec, key string) { *dst = f.String(sec, key, *dst) }
	boolean := func(dst *bool, sec, key string) {
		v, err := f.Bool(sec, key, *dst)
		if err != nil {
			errs = append(errs, err)
		}
		*dst = v
	}
	integer := func(dst *int, sec, key string) {
		v, err := f.Int(sec, key, *dst)
		if err != nil {
			errs = append(errs, err)
		}
		*dst = v
	}

	g := &s.Global
	str(&g.FileCreated, SectionGlobal, KeyFileCreated)
	str(&g.LocationName, SectionGlobal, KeyLocationName)
	integer(&g.ThumbsCount, SectionGlobal, KeyThumbsCount)
	boolean(&g.EnableCameraUSB, SectionGlobal, KeyEnableCameraUSB)
	str(&g.WakePiHour, SectionGlobal, KeyWakePiHour)

	th := &s.Thresholds
	integer(&th.DaysFreeWarn, SectionThresholds, KeyDaysFreeWarn)
	integer(&th.DaysFreeAlarm, SectionThresholds, KeyDaysFreeAlarm)
	integer(&th.VoltageHigh, SectionThresholds, KeyVoltageHigh)
	integer(&th.VoltageLow, SectionThresholds, KeyVoltageLow)

	t := &s.Transfer
	str(&t.Method, SectionTransfer, KeyTfrMethod)
	str(&t.FTPServer, SectionTransfer, KeyFTPServer)
	str(&t.FTPUser, SectionTransfer, KeyFTPUser)
	str(&t.FTPPassword, SectionTransfer, KeyFTPPassword)
	str(&t.FTPRemoteFolder, SectionTransfer, KeyFTPRemoteFolder)
	boolean(&t.FTPActive, SectionTransfer, KeyFTPActive)
	boolean(&t.FTPTLS, SectionTransfer, KeyFTPTLS)
	boolean(&t.FTPTLSInsecure, SectionTransfer, KeyFTPTLSInsecure)
	str(&t.SFTPServer, SectionTransfer, KeySFTPServer)
	str(&t.SFTPUser, SectionTransfer, KeySFTPUser)
	str(&t.SFTPPassword, SectionTransfer, KeySFTPPassword)
	str(&t.SFTPRemoteFolder, SectionTransfer, KeySFTPRemoteFolder)
	str(&t.DropboxAppKey, SectionTransfer, KeyDropboxAppKey)
	str(&t.RsyncUsername, SectionTransfer, KeyRsyncUsername)
	str(&t.RsyncHost, SectionTransfer, KeyRsyncHost)
	str(&t.RsyncRemoteFolder, SectionTransfer, KeyRsyncRemoteFolder)
	str(&t.TransferDay, SectionTransfer, KeyTransferDay)
	str(&t.TransferHour, SectionTransfer, KeyTransferHour)
	boolean(&t.TransferOnBootup, SectionTransfer, KeyTransferOnBootup)
	boolean(&t.DeleteAfterTransfer, SectionTransfer, KeyDeleteAfterTransfer)

	c := &s.Copy
	str(&c.CopyDay, SectionCopy, KeyCopyDay)
	str(&c.CopyHour, SectionCopy, KeyCopyHour)
	boolean(&c.CopyOnBootup, SectionCopy, KeyCopyOnBootup)
	boolean(&c.RenameOnCopy, SectionCopy, KeyRenameOnCopy)
	str(&c.RenameString, SectionCopy, KeyRenameString)
	boolean(&c.DeleteAfterCopy, SectionCopy, KeyDeleteAfterCopy)

	m := &s.Monitoring
	str(&m.HeartbeatFrequency, SectionMonitoring, KeyHeartbeatFrequency)
	str(&m.HeartbeatURL, SectionMonitoring, KeyHeartbeatURL)
	boolean(&m.HeartbeatHealth, SectionMonitoring, KeyHeartbeatHealth)
	str(&m.PushgatewayURL, SectionMonitoring, KeyPushgatewayURL)

	return s, errors.Join(errs...)
}
