// Package paths derives every on-disk location from one home directory, laid
// out as the Python original lays it out, so an existing install upgrades in place.
package paths

import "path/filepath"

// Paths holds every file and folder the software reads or writes.
type Paths struct {
	Home string
}

// New returns the layout rooted at home (the install user's home directory).
func New(home string) Paths { return Paths{Home: home} }

func (p Paths) join(elem ...string) string {
	return filepath.Join(append([]string{p.Home}, elem...)...)
}

// WWW is the original's application folder; the INI and tokens live there.
func (p Paths) WWW() string { return p.join("www") }

// INI is intvlm8r.ini.
func (p Paths) INI() string { return p.join("www", "intvlm8r.ini") }

// Credentials holds the web logins as "name:bcrypt-hash" lines.
func (p Paths) Credentials() string { return p.join("www", "intvlm8r.users") }

// SessionKey holds the random key that signs session cookies.
func (p Paths) SessionKey() string { return p.join("www", "session.key") }

// DropboxToken holds the Dropbox refresh token, one line.
func (p Paths) DropboxToken() string { return p.join("www", "Dropbox_token.txt") }

// RsyncLog is rsync's --log-file, harvested into the upload ledger.
func (p Paths) RsyncLog() string { return p.join("www", "rsynclog.log") }

// TransferLog is piTransfer.log; the Home page shows its last STATUS line.
func (p Paths) TransferLog() string { return p.join("www", "static", "piTransfer.log") }

// Version is the original's version file (read for upgrades; ours is compiled in).
func (p Paths) Version() string { return p.join("www", "version") }

// Photos is the Pi's photo store; DCIM mirrors the camera's tree.
func (p Paths) Photos() string { return p.join("photos") }

// PhotosDCIM is the mirror of the camera's DCIM folder.
func (p Paths) PhotosDCIM() string { return p.join("photos", "DCIM") }

// UploadedOK is the upload ledger: one absolute path per line.
func (p Paths) UploadedOK() string { return p.join("photos", "uploadedOK.txt") }

// RenameArchive is piPhotoRename.txt: every photo ever copied, and its new name.
func (p Paths) RenameArchive() string { return p.join("photos", "piPhotoRename.txt") }

// DefaultImage is the placeholder photo, excluded from counts.
func (p Paths) DefaultImage() string { return p.join("photos", "default_image.JPG") }

// Thumbs is the thumbnail tree.
func (p Paths) Thumbs() string { return p.join("thumbs") }

// ThumbsInfo is piThumbsInfo.txt: one EXIF summary line per photo.
func (p Paths) ThumbsInfo() string { return p.join("thumbs", "piThumbsInfo.txt") }

// Preview is the RAW-preview tree and the camera's live preview.
func (p Paths) Preview() string { return p.join("preview") }

// LivePreview is the camera page's latest preview capture.
func (p Paths) LivePreview() string { return p.join("preview", "intvlm8r-preview.jpg") }

// HeartbeatResult is hbresults.txt: one line, the last heartbeat's outcome.
func (p Paths) HeartbeatResult() string { return p.join("hbresults.txt") }

// HeartbeatLog is heartbeat.log: the heartbeat oneshot's last run only.
func (p Paths) HeartbeatLog() string { return p.join("heartbeat.log") }

// CameraTransferLog is the copy oneshot's log.
func (p Paths) CameraTransferLog() string { return p.join("cameraTransfer.log") }

// SetTimeLog is the clock oneshot's log.
func (p Paths) SetTimeLog() string { return p.join("setTime.log") }

// SSH is the install user's ~/.ssh (known_hosts, keys for SFTP and rsync).
func (p Paths) SSH() string { return p.join(".ssh") }

// Locks holds the lock files that keep the Arduino bus and the camera to one
// process at a time.
func (p Paths) Locks() string { return p.join(".intvlm8r", "locks") }

// ArduinoLock serialises Arduino transactions across processes.
func (p Paths) ArduinoLock() string { return p.join(".intvlm8r", "locks", "arduino.lock") }

// CameraLock keeps the camera to one process at a time.
func (p Paths) CameraLock() string { return p.join(".intvlm8r", "locks", "camera.lock") }

// Sim holds the simulators' persistent state (the simulated Arduino's EEPROM
// and clock, the simulated camera's card), shared by web, worker and oneshots.
func (p Paths) Sim() string { return p.join(".intvlm8r", "sim") }

// CopyJournal records the one photo a camera copy has in flight, so a copy
// killed between its steps can be finished or undone on the next run.
func (p Paths) CopyJournal() string { return p.join(".intvlm8r", "copy-journal") }

// CopyLock keeps camera-to-Pi copies to one at a time.
func (p Paths) CopyLock() string { return p.join(".intvlm8r", "locks", "copy.lock") }

// ThumbsLock serialises writers of the thumbnail tree and piThumbsInfo.txt.
func (p Paths) ThumbsLock() string { return p.join(".intvlm8r", "locks", "thumbs.lock") }

// SimCameraWake is touched by the simulated Arduino on each WC (content: the
// RFC3339 wake time); the simulated camera stays awake for its auto-power-off
// time after it is written.
func (p Paths) SimCameraWake() string { return p.join(".intvlm8r", "sim", "camera.wake") }

// SimShutterLog gets one RFC3339 line per shot the simulated Arduino fires;
// the simulated camera turns each new line into a photo on its card.
func (p Paths) SimShutterLog() string { return p.join(".intvlm8r", "sim", "shutter.log") }

// SimCard is the simulated camera's memory card, laid out as the camera's own
// folders (store_00020001/DCIM/100CANON/...).
func (p Paths) SimCard() string { return p.join(".intvlm8r", "sim", "card") }

// SimArduinoState is the simulated Arduino's EEPROM, clock and RAM, shared by
// every process that hosts the simulator.
func (p Paths) SimArduinoState() string { return p.join(".intvlm8r", "sim", "arduino.json") }

// SimArduinoLock guards SimArduinoState between processes (one bus phase at a
// time); it is not the bus lock, which the client holds around a transaction.
func (p Paths) SimArduinoLock() string { return p.join(".intvlm8r", "sim", "arduino.lock") }

// TransferLock keeps uploads to one process at a time (cron, boot, "Transfer now").
func (p Paths) TransferLock() string { return p.join(".intvlm8r", "locks", "transfer.lock") }

// KnownHosts is the SSH known_hosts file used by SFTP and rsync.
func (p Paths) KnownHosts() string { return p.join(".ssh", "known_hosts") }

// SSHKey is the install user's ed25519 private key (public half: SSHKey()+".pub").
func (p Paths) SSHKey() string { return p.join(".ssh", "id_ed25519") }

// SSHKeyRSA is the RSA key the original's instructions had users generate.
func (p Paths) SSHKeyRSA() string { return p.join(".ssh", "id_rsa") }

// DeleteJournal lists photos confirmed uploaded and due for deletion
// (deleteaftertransfer), so a deletion cut short by a power cut is finished
// on the next run, and ("sending <path>") each photo as its upload starts,
// so the next run asks the server before sending it again.
func (p Paths) DeleteJournal() string { return p.join(".intvlm8r", "transfer-delete.journal") }
