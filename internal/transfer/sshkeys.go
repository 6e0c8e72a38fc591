package transfer

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// GenerateSSHKey makes an ed25519 key pair in ~/.ssh/id_ed25519{,.pub}
// (OpenSSH format) for SFTP key login and rsync, and returns the public key
// line for the user to put in the server's authorized_keys. An existing key
// is never overwritten: its public half is returned and created is false.
func GenerateSSHKey(p paths.Paths, comment string) (publicKey string, created bool, err error) {
	priv := p.SSHKey()
	if err := os.MkdirAll(filepath.Dir(priv), 0o700); err != nil {
		return "", false, fmt.Errorf("ssh key: %w", err)
	}
	if _, err := os.Stat(priv); err == nil {
		pub, err := ensurePublicKey(priv, comment)
		return pub, false, err
	}
	pubKey, privKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", false, fmt.Errorf("ssh key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(privKey, comment)
	if err != nil {
		return "", false, fmt.Errorf("ssh key: %w", err)
	}
	if err := writeNew(priv, pem.EncodeToMemory(block), 0o600); err != nil {
		if errors.Is(err, os.ErrExist) { // another caller won the race: keep theirs
			pub, err := ensurePublicKey(priv, comment)
			return pub, false, err
		}
		return "", false, fmt.Errorf("ssh key: %w", err)
	}
	sp, err := ssh.NewPublicKey(pubKey)
	if err != nil {
		return "", false, fmt.Errorf("ssh key: %w", err)
	}
	line := authorizedLine(sp, comment)
	if err := fileutil.WriteAtomic(priv+".pub", []byte(line+"\n"), 0o644); err != nil {
		return "", false, fmt.Errorf("ssh key: %w", err)
	}
	return line, true, nil
}

func authorizedLine(k ssh.PublicKey, comment string) string {
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	if comment = strings.TrimSpace(comment); comment != "" {
		line += " " + comment
	}
	return line
}

// ensurePublicKey returns the .pub text of an existing private key, writing
// it again if a power cut struck between the two files.
func ensurePublicKey(priv, comment string) (string, error) {
	if b, err := os.ReadFile(priv + ".pub"); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	data, err := os.ReadFile(priv)
	if err != nil {
		return "", fmt.Errorf("ssh key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return "", fmt.Errorf("ssh key %s: %w", priv, err)
	}
	line := authorizedLine(signer.PublicKey(), comment)
	if err := fileutil.WriteAtomic(priv+".pub", []byte(line+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("ssh key: %w", err)
	}
	return line, nil
}

// writeNew writes a file crash-safely but fails with os.ErrExist instead of
// replacing one that is already there (a hard link does not overwrite).
func writeNew(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	return fileutil.SyncDir(dir)
}

// privateKeySigners loads the user's unencrypted private keys for public-key
// login: ours (id_ed25519) first, then the id_rsa the original's docs made.
func privateKeySigners(p paths.Paths) ([]ssh.Signer, []string) {
	var signers []ssh.Signer
	var notes []string
	for _, f := range []string{p.SSHKey(), p.SSHKeyRSA(), filepath.Join(p.SSH(), "id_ecdsa")} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s, err := ssh.ParsePrivateKey(data)
		if err != nil {
			notes = append(notes, fmt.Sprintf("skipping key %s: %v", f, err))
			continue
		}
		signers = append(signers, s)
	}
	return signers, notes
}

// HostKeyError is a server key that differs from the one recorded.
type HostKeyError struct {
	Host string
	Err  error
}

func (e *HostKeyError) Error() string {
	return fmt.Sprintf("host key for %s does not match known_hosts: %v", e.Host, e.Err)
}
func (e *HostKeyError) Unwrap() error { return e.Err }

var knownHostsMu sync.Mutex

// trustOnFirstUse checks server keys against ~/.ssh/known_hosts: a host seen
// for the first time is trusted and recorded; a host whose key has changed
// is refused (that is a man in the middle, or a rebuilt server the user must
// re-trust by removing its old line).
func trustOnFirstUse(file string, logf func(string, ...any)) (ssh.HostKeyCallback, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("known_hosts: %w", err)
	}
	f, err := os.OpenFile(file, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %w", err)
	}
	f.Close()
	check, err := knownhosts.New(file)
	if err != nil {
		return nil, fmt.Errorf("known_hosts %s: %w", file, err)
	}
	return func(host string, remote net.Addr, key ssh.PublicKey) error {
		err := check(host, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) == 0:
			knownHostsMu.Lock()
			defer knownHostsMu.Unlock()
			line := knownhosts.Line([]string{knownhosts.Normalize(host)}, key)
			if err := appendKnownHost(file, line); err != nil {
				return fmt.Errorf("record host key: %w", err)
			}
			logf("Trusted new host key for %s (%s %s), recorded in %s", host, key.Type(), ssh.FingerprintSHA256(key), file)
			return nil
		default:
			return &HostKeyError{Host: host, Err: err}
		}
	}, nil
}

// appendKnownHost adds a line, first ending an unterminated last line.
func appendKnownHost(file, line string) error {
	data, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		line = "\n" + line
	}
	return fileutil.AppendLine(file, line+"\n")
}
