#!/usr/bin/env bash
# intvlm8r-go installer for Raspberry Pi OS (bookworm or later, 32 or 64-bit).
#
#   sudo ./install.sh [--login NAME] [--password-file FILE]     install, or upgrade in place
#   sudo ./install.sh --uninstall                               remove the software, keep the photos
#
# Run it from a release archive (bin/, systemd/, share/ beside it) or from a
# source checkout after `make build`. Every step checks before it changes
# anything, so running it again changes nothing; each change is printed.
#
# An existing install of the Python original is upgraded in place: its
# services and crontab lines are stopped, its data stays where it is (the
# service runs as the old user, with the old home), and its web logins are
# imported (hashed). See scripts/README.md.
set -euo pipefail
umask 022

here=$(cd "$(dirname "$0")" && pwd)
prog=install.sh
LIB=/usr/local/lib/intvlm8r
BINDIR=/usr/local/bin
UNITDIR=/etc/systemd/system
BACKUP=/var/backups/intvlm8r-python
ENVFILE=/etc/default/intvlm8r
SOCKET=/run/intvlm8r/web.sock

changes=0
warnings=()

say() { printf '%s\n' "$*"; }
changed() { changes=$((changes + 1)); say "  changed: $*"; }
warn() { warnings+=("$*"); say "  WARNING: $*" >&2; }
die() { say "$prog: $*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: sudo $0 [options]

Installs or upgrades intvlm8r-go: packages, I2C, the service user, data
folders, binaries, systemd units and timers, the nginx site, log rotation,
the web login; then runs intvlm8r-doctor.

Options:
  --login NAME          set the web login NAME (password asked, or --password-file)
  --password-file FILE  read the login's password from FILE ("-" = standard input)
  --user NAME           service user (default: the Python original's user when
                        upgrading, else "intvlm8r")
  --home DIR            data folder (default: the service user's home)
  --no-packages         do not install Debian packages
  --build               build the camera-capable binaries on this Pi from src/
                        (the armv6 archive's route; needs a network connection)
  --clock ntp|arduino   the clock master: NTP (the Pi sets the Arduino; needs the
                        Internet) or the Arduino (off-grid: the Arduino sets the
                        Pi). Default: keep what this Pi does now (NTP if
                        systemd-timesyncd is enabled)
  --no-doctor           do not run the health check at the end
  --uninstall           remove the software; photos, settings and logins stay
  -h, --help            this text
EOF
}

login="" password_file="" opt_user="" opt_home="" packages=1 build=0 doctor=1 uninstall=0 clock=auto
while [ $# -gt 0 ]; do
  case $1 in
  --login) login=${2:?--login needs a name}; shift 2 ;;
  --password-file) password_file=${2:?--password-file needs a file}; shift 2 ;;
  --user) opt_user=${2:?--user needs a name}; shift 2 ;;
  --home) opt_home=${2:?--home needs a folder}; shift 2 ;;
  --no-packages) packages=0; shift ;;
  --build) build=1; shift ;;
  --no-doctor) doctor=0; shift ;;
  --clock)
    clock=${2:?--clock needs ntp or arduino}
    case $clock in ntp | arduino) ;; *) die "--clock: ntp or arduino, not $clock" ;; esac
    shift 2 ;;
  --uninstall) uninstall=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option $1" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run me as root: sudo $0 $*"

# Where the files to install are: a release archive, or a source checkout.
if [ -d "$here/bin" ] && [ -d "$here/systemd" ] && [ -d "$here/share" ]; then
  SRC_BIN=$here/bin SRC_UNITS=$here/systemd SRC_SHARE=$here/share SRC_CODE=$here/src
else
  SRC_BIN=$here/../bin SRC_UNITS=$here/systemd SRC_SHARE=$here/install SRC_CODE=$here/..
fi

# ---------------------------------------------------------------- helpers

# put SRC DEST MODE: install a file when its content or mode differs.
put() {
  local src=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
    return 1
  fi
  # Called in if-conditions, where set -e is off: check each step.
  mkdir -p "$(dirname "$dest")" || die "cannot make the folder of $dest"
  install -m "$mode" "$src" "$dest.intvlm8r-new" || die "cannot install $src as $dest"
  mv -f "$dest.intvlm8r-new" "$dest" || die "cannot put $dest in place"
  changed "$dest"
  return 0
}

# put_text DEST MODE < content
put_text() {
  local tmp rc=0
  tmp=$(mktemp)
  cat >"$tmp"
  put "$tmp" "$1" "$2" || rc=$?
  rm -f "$tmp"
  return "$rc"
}

# render FILE: a share/ template with @USER@ and @HOME@ filled in.
render() {
  sed -e "s#@USER@#$svc_user#g" -e "s#@HOME@#$svc_home#g" "$SRC_SHARE/$1"
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Record a file we own, for --uninstall.
owned=()
own() { owned+=("$1"); }

# Work left to do (a reload, a restart), kept on disk until done, so that a
# run stopped half-way is finished by the next one instead of forgotten.
PENDING=$LIB/pending
pending_add() { mkdir -p "$LIB" && { grep -qxF "$1" "$PENDING" 2>/dev/null || printf '%s\n' "$1" >>"$PENDING"; }; }
pending_has() { grep -qxF "$1" "$PENDING" 2>/dev/null; }
pending_del() {
  [ -f "$PENDING" ] || return 0
  grep -vxF "$1" "$PENDING" >"$PENDING.new" || true
  mv -f "$PENDING.new" "$PENDING"
  [ -s "$PENDING" ] || rm -f "$PENDING"
}

# --------------------------------------------------------- the old install

# The Python original's units (operations.md §3.1).
old_units=(intvlm8r.service celery.service cameraTransfer.service piTransfer.service
  setTime.service heartbeat.timer heartbeat.service myIp.service)

# old_user: the user the Python original ran as, or nothing.
old_user() {
  local u f
  if [ -f "$UNITDIR/intvlm8r.service" ]; then
    u=$(sed -n 's/^User=//p' "$UNITDIR/intvlm8r.service" | head -1)
    [ -n "$u" ] && { printf '%s\n' "$u"; return; }
  fi
  for f in /home/*/www/intvlm8r.py /root/www/intvlm8r.py; do
    [ -f "$f" ] || continue
    stat -c %U "$f"
    return
  done
}

# is_ours FILE: a unit this script installed (all ours are described as
# "Intervalometerator ..."; the original's as "NAME.service. ..."). The
# original's heartbeat.service and heartbeat.timer have our units' names.
is_ours() { grep -q '^Description=Intervalometerator ' "$1" 2>/dev/null; }

# keep_copy FILE: a copy in $BACKUP, unless one is there already: the first
# copy is the original's, and a later run (after an abort, say) must never
# put anything on top of it.
keep_copy() {
  local dest=$BACKUP/${2:-$(basename "$1")}
  [ -e "$dest" ] && return 0
  mkdir -p "$BACKUP"
  cp -p "$1" "$dest.intvlm8r-new" || die "cannot back up $1 in $BACKUP"
  mv -f "$dest.intvlm8r-new" "$dest" || die "cannot back up $1 in $BACKUP"
  changed "kept a copy of the original's $1 in $BACKUP"
}

# backup_old_install: copies of the original's units and settings, taken
# before anything of ours replaces them. Nothing is stopped yet.
backup_old_install() {
  local u f
  for u in "${old_units[@]}"; do
    f=$UNITDIR/$u
    if [ ! -f "$f" ] || is_ours "$f"; then continue; fi
    keep_copy "$f"
    # Ours has the same name and no boot-time [Install]: its old enablement
    # (multi-user.target.wants) must not pull ours in at every boot.
    if [ "$u" = heartbeat.service ] && systemctl is-enabled --quiet "$u" 2>/dev/null; then
      systemctl disable "$u" >/dev/null 2>&1 || true
      changed "disabled the original's $u (ours runs from heartbeat.timer)"
    fi
  done
  for f in /etc/default/celery /etc/tmpfiles.d/celery.conf /etc/logrotate.d/intvlm8r.logrotate; do
    [ -f "$f" ] && keep_copy "$f"
  done
  return 0
}

# stop_old_install: once our units serve the UI, the original's stop, are
# disabled and leave /etc/systemd/system (their copies are in $BACKUP).
stop_old_install() {
  local u f any=0
  for u in "${old_units[@]}"; do
    f=$UNITDIR/$u
    if [ ! -f "$f" ] || is_ours "$f"; then continue; fi
    any=1
    systemctl disable --now "$u" >/dev/null 2>&1 || true
    keep_copy "$f"
    rm -f "$f"
    changed "stopped and disabled the original's $u (unit kept in $BACKUP)"
  done
  for f in /etc/default/celery /etc/tmpfiles.d/celery.conf /etc/logrotate.d/intvlm8r.logrotate; do
    [ -f "$f" ] || continue
    keep_copy "$f"
    rm -f "$f"
    changed "removed the original's $f (copy in $BACKUP)"
  done
  if [ "$any" -eq 1 ]; then systemctl daemon-reload || true; fi
  # The original gave /bin/date CAP_SYS_TIME for every user; polkit does it now.
  if command -v getcap >/dev/null 2>&1 && getcap /usr/bin/date 2>/dev/null | grep -qi cap_sys_time; then
    setcap -r /usr/bin/date
    changed "removed CAP_SYS_TIME from /usr/bin/date (the service sets the clock through polkit)"
  fi
}

# remote.it (legacy): the original made connectd wait for celery.service,
# which is gone; our worker is what it waited for.
step_connectd() {
  local f=$UNITDIR/connectd.service
  [ -f "$f" ] && grep -Eq '^After=.*\bcelery\.service\b' "$f" || return 0
  keep_copy "$f" connectd.service
  sed -E -e '/^After=/s/\bcelery\.service\b/intvlm8r-worker.service/' \
    -e 's/^#Celery requirement added by intvlm8r setup\.sh.*/# intvlm8r-go: waits for intvlm8r-worker.service (was celery.service)/' \
    "$f" >"$f.intvlm8r-new" || die "cannot update $f"
  mv -f "$f.intvlm8r-new" "$f" || die "cannot update $f"
  changed "$f: remote.it's connectd now starts after intvlm8r-worker.service instead of celery.service"
  systemctl daemon-reload || true
}

# The original's three crontab lines (operations.md §3.3) go; others stay.
drop_old_crontab() {
  local user=$1 cur new
  command -v crontab >/dev/null 2>&1 || return 0
  cur=$(crontab -u "$user" -l 2>/dev/null) || return 0
  new=$(printf '%s\n' "$cur" | grep -Ev '(cameraTransfer|piTransfer|setTime)\.py' || true)
  [ "$cur" = "$new" ] && return 0
  mkdir -p "$BACKUP"
  printf '%s\n' "$cur" >"$BACKUP/crontab.$user"
  if [ -n "$new" ]; then
    printf '%s\n' "$new" | crontab -u "$user" -
  else
    crontab -u "$user" -r
  fi
  changed "removed the original's lines from $user's crontab (old crontab in $BACKUP)"
}

# Logins from the original's intvlm8r.py: its `users = {...}` and
# `users.update({...})` lines, printed as NAME NUL PASSWORD NUL.
old_logins() {
  command -v python3 >/dev/null 2>&1 || { warn "python3 is missing: the original's logins were not imported"; return 0; }
  python3 - "$1" <<'PY'
import ast, re, sys
found = {}
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        s = line.strip()
        # A trailing comment is allowed, as Python allows it.
        m = re.match(r"users\s*=\s*(\{.*\})\s*(#.*)?$", s) or re.match(r"users\.update\(\s*(\{.*\})\s*\)\s*(#.*)?$", s)
        if not m:
            continue
        try:
            d = ast.literal_eval(m.group(1))
        except (ValueError, SyntaxError):
            continue
        if not isinstance(d, dict):
            continue
        for name, v in d.items():
            if isinstance(v, dict) and isinstance(v.get("password"), str) and str(name).strip():
                found[str(name)] = v["password"]
for name, pw in found.items():
    sys.stdout.write(name + "\0" + pw + "\0")
PY
}

has_login() { # NAME: already in the credentials file
  local f=$svc_home/www/intvlm8r.users n
  n=$(printf '%s' "$1" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | tr '[:upper:]' '[:lower:]')
  [ -f "$f" ] && awk -F: -v n="$n" '$1 == n { f = 1 } END { exit !f }' "$f"
}

set_password() { # NAME PASSWORD
  printf '%s\n' "$2" | runuser -u "$svc_user" -- "$BINDIR/intvlm8r-web" passwd --home "$svc_home" "$1" >/dev/null
}

import_old_logins() {
  local py=$svc_home/www/intvlm8r.py name pw err
  [ -f "$py" ] || return 0
  while IFS= read -r -d '' name && IFS= read -r -d '' pw; do
    if has_login "$name"; then
      continue
    fi
    # As it was: the original set no minimum length. One login that cannot
    # be stored must not stop the others, nor the upgrade.
    if ! err=$(printf '%s\n' "$pw" | runuser -u "$svc_user" -- "$BINDIR/intvlm8r-web" passwd --import \
      --home "$svc_home" "$name" 2>&1 >/dev/null); then
      warn "the web login '$name' from $py was not imported: ${err#intvlm8r-web passwd: }"
      continue
    fi
    changed "imported the web login '$name' from $py (password now stored hashed)"
    if [ "$pw" = password ]; then
      warn "the login '$name' still has the original's default password: change it with  sudo $0 --login $name"
    fi
  done < <(old_logins "$py")
}

# ------------------------------------------------------------- uninstall

if [ "$uninstall" -eq 1 ]; then
  say "Removing intvlm8r-go (photos, settings, logins and the service user stay)…"
  if [ -f "$LIB/units" ]; then
    while read -r u; do
      case $u in nginx.service | redis-server.service | "") continue ;; esac
      systemctl disable --now "$u" >/dev/null 2>&1 || true
    done <"$LIB/units"
  fi
  if [ -f "$LIB/files" ]; then
    while read -r f; do
      if [ -z "$f" ] || { [ ! -e "$f" ] && [ ! -L "$f" ]; }; then continue; fi
      rm -f "$f"
      changed "removed $f"
    done <"$LIB/files"
  fi
  rm -rf "$LIB"
  systemctl daemon-reload >/dev/null 2>&1 || true
  if command -v nginx >/dev/null 2>&1 && nginx -t >/dev/null 2>&1; then
    systemctl reload nginx >/dev/null 2>&1 || true
  fi
  say "Done. Kept: the data folder (photos, thumbs, previews, intvlm8r.ini, logins), the"
  say "service user, I2C settings in config.txt and the Debian packages."
  exit 0
fi

# ------------------------------------------------------------ preflight

say "intvlm8r-go install"
# shellcheck source=/dev/null
. /etc/os-release
case ${VERSION_CODENAME:-} in
buster | bullseye) die "Raspberry Pi OS $VERSION_CODENAME is too old: bookworm or later is needed" ;;
esac
[ -x "$SRC_BIN/intvlm8r-web" ] || die "no binaries in $SRC_BIN (in a source checkout, run make build first)"

# The service user and the data folder: a flag, the last install's choice,
# the Python original's user, or a new "intvlm8r".
prev_user="" prev_home=""
if [ -f "$LIB/install.conf" ]; then
  prev_user=$(sed -n 's/^user=//p' "$LIB/install.conf")
  prev_home=$(sed -n 's/^home=//p' "$LIB/install.conf")
fi
upgrade_from=$(old_user || true)
svc_user=${opt_user:-${prev_user:-${upgrade_from:-intvlm8r}}}
if [ -n "$upgrade_from" ]; then
  say "Found the Python original, running as $upgrade_from: upgrading it in place."
fi

# ------------------------------------------------------------- packages

step_packages() {
  local gphoto=libgphoto2-6 want=() p
  if apt-cache show libgphoto2-6t64 >/dev/null 2>&1; then gphoto=libgphoto2-6t64; fi
  for p in redis-server "$gphoto" libgphoto2-port12 libjpeg62-turbo rsync nginx i2c-tools iw logrotate ca-certificates; do
    case $p in libgphoto2-port12) apt-cache show libgphoto2-port12t64 >/dev/null 2>&1 && p=libgphoto2-port12t64 ;; esac
    installed "$p" || want+=("$p")
  done
  if [ "$build" -eq 1 ]; then
    for p in gcc libc6-dev pkg-config libgphoto2-dev libjpeg62-turbo-dev curl python3; do installed "$p" || want+=("$p"); done
  fi
  [ ${#want[@]} -eq 0 ] && return 0
  say "Installing ${want[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  # A stale index, not a broken box, is the usual reason an install fails.
  apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "${want[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "${want[@]}" >/dev/null; }
  changed "packages ${want[*]}"
}
[ "$packages" -eq 1 ] && step_packages

# ---------------------------------------------------------- service user

step_user() {
  local g
  if ! id "$svc_user" >/dev/null 2>&1; then
    [ "$svc_user" = intvlm8r ] || die "user $svc_user does not exist"
    adduser --system --group --home "${opt_home:-/home/intvlm8r}" --shell /usr/sbin/nologin \
      --gecos "Intervalometerator" intvlm8r >/dev/null
    changed "system user intvlm8r"
  fi
  # I2C (Arduino), USB camera (plugdev, video), serial Arduino (dialout),
  # Wi-Fi (netdev), and the web server's group (www-data).
  for g in i2c plugdev video dialout netdev www-data; do
    getent group "$g" >/dev/null || { groupadd --system "$g"; changed "group $g"; }
    if ! id -nG "$svc_user" | tr ' ' '\n' | grep -qx "$g"; then
      usermod -aG "$g" "$svc_user"
      changed "$svc_user joins group $g"
    fi
  done
}
step_user
svc_home=${opt_home:-${prev_home:-$(getent passwd "$svc_user" | cut -d: -f6)}}
[ -n "$svc_home" ] || die "no home folder for $svc_user"
# Kept now, so a run that stops half-way is resumed with the same choice.
mkdir -p "$LIB"
printf 'user=%s\nhome=%s\n' "$svc_user" "$svc_home" | put_text "$LIB/install.conf" 0644 || true

# -------------------------------------------------------------- I2C

# config.txt: I2C on at 40 kHz (the original's bus speed, which the Arduino's
# clock stretching needs), and the Arduino's power handshake: it asks for a
# shutdown on GPIO17, and GPIO27 tells it the Pi has halted.
step_i2c() {
  local cfg="" f
  for f in /boot/firmware/config.txt /boot/config.txt; do
    [ -f "$f" ] && { cfg=$f; break; }
  done
  if [ -z "$cfg" ]; then
    warn "no config.txt in /boot/firmware or /boot: enable I2C by hand (raspi-config)"
    return 0
  fi
  local tmp
  tmp=$(mktemp)
  # Only active lines for every board count (before any [filter], or under
  # [all]); what is missing goes under [all]. See share/config-txt.awk.
  awk -f "$SRC_SHARE/config-txt.awk" "$cfg" >"$tmp" || { rm -f "$tmp"; die "cannot read $cfg"; }
  if ! cmp -s "$tmp" "$cfg"; then
    # The first copy is the one worth keeping; the boot partition is FAT:
    # write beside, flush, rename.
    [ -e "$cfg.intvlm8r-bak" ] || cp -p "$cfg" "$cfg.intvlm8r-bak"
    { cp "$tmp" "$cfg.intvlm8r-new" && sync "$cfg.intvlm8r-new" && mv -f "$cfg.intvlm8r-new" "$cfg"; } ||
      die "cannot write $cfg"
    changed "$cfg (I2C 40 kHz, gpio-shutdown 17, gpio-poweroff 27; reboot to apply; old copy $cfg.intvlm8r-bak)"
    need_reboot=1
  fi
  rm -f "$tmp"
  if [ -f /etc/modules ] && ! grep -qx 'i2c-dev' /etc/modules; then
    printf 'i2c-dev\n' >>/etc/modules
    changed "/etc/modules (i2c-dev)"
  elif [ ! -f /etc/modules ]; then
    printf 'i2c-dev\n' >/etc/modules
    changed "/etc/modules (i2c-dev)"
  fi
}
need_reboot=0
step_i2c

# ---------------------------------------------------------- data folders

step_folders() {
  local d
  for d in "$svc_home" "$svc_home/www" "$svc_home/www/static" "$svc_home/photos" "$svc_home/thumbs" \
    "$svc_home/preview" "$svc_home/.intvlm8r"; do
    if [ ! -d "$d" ]; then
      install -d -o "$svc_user" -g www-data -m 0750 "$d"
      changed "folder $d"
    fi
  done
  # The folders the services write must be theirs (never recursive: a photo
  # tree can hold tens of thousands of files, and the original's are fine).
  for d in "$svc_home/www" "$svc_home/www/static" "$svc_home/photos" "$svc_home/thumbs" "$svc_home/preview" "$svc_home/.intvlm8r"; do
    if [ "$(stat -c %U "$d")" != "$svc_user" ]; then
      chown "$svc_user:www-data" "$d"
      changed "owner of $d"
    fi
  done
}
step_folders

# -------------------------------------------------------------- binaries

step_build() {
  [ "$build" -eq 1 ] || return 0
  [ -f "$SRC_CODE/go.mod" ] || die "--build: no source in $SRC_CODE"
  local want go="" v
  want=$(sed -n 's/^go //p' "$SRC_CODE/go.mod")
  for v in "$(command -v go || true)" /usr/local/go/bin/go "$LIB/go/bin/go"; do
    if [ -z "$v" ] || [ ! -x "$v" ]; then continue; fi
    if [ "$(printf '%s\n%s\n' "$want" "$("$v" env GOVERSION | sed 's/^go//')" | sort -V | head -1)" = "$want" ]; then
      go=$v
      break
    fi
  done
  if [ -z "$go" ]; then
    local arch file sum url
    case $(dpkg --print-architecture) in
    armhf) arch=armv6l ;; arm64) arch=arm64 ;; amd64) arch=amd64 ;; *) die "--build: no Go for $(dpkg --print-architecture)" ;;
    esac
    file=go$want.linux-$arch.tar.gz
    url=https://go.dev/dl/$file
    say "Fetching $url…"
    sum=$(curl -fsSL 'https://go.dev/dl/?mode=json&include=all' | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    for f in r["files"]:
        if f["filename"] == sys.argv[1]:
            print(f["sha256"])' "$file") || die "--build: cannot read go.dev's checksum list"
    [ -n "$sum" ] || die "--build: go.dev lists no $file"
    curl -fsSL -o "/tmp/$file" "$url"
    printf '%s  %s\n' "$sum" "/tmp/$file" | sha256sum -c --quiet || die "--build: $file checksum mismatch"
    rm -rf "$LIB/go" && mkdir -p "$LIB" && tar -C "$LIB" -xzf "/tmp/$file" && rm -f "/tmp/$file"
    go=$LIB/go/bin/go
  fi
  say "Building on this Pi with $("$go" version) (a Pi Zero takes a while)…"
  local c out=$SRC_CODE/bin mod=""
  [ -d "$SRC_CODE/vendor" ] && mod=-mod=vendor
  mkdir -p "$out"
  for c in "$SRC_CODE"/cmd/*/; do
    c=$(basename "$c")
    (cd "$SRC_CODE" && GOCACHE=/var/cache/intvlm8r-build CGO_ENABLED=1 "$go" build $mod -trimpath \
      -ldflags "-s -w" -o "$out/intvlm8r-$c" "./cmd/$c") || die "--build: intvlm8r-$c failed"
  done
  SRC_BIN=$out
}
step_build

# Binaries whose file changed, so their services restart.
changed_bins=()
step_binaries() {
  local b name
  "$SRC_BIN/intvlm8r-web" --version >/dev/null 2>&1 ||
    die "the binaries in $SRC_BIN do not run on this machine ($(uname -m), $(dpkg --print-architecture)): use the archive for it"
  for b in "$SRC_BIN"/intvlm8r-*; do
    if [ ! -f "$b" ] || [ ! -x "$b" ]; then continue; fi
    name=$(basename "$b")
    own "$BINDIR/$name"
    if put "$b" "$BINDIR/$name" 0755; then changed_bins+=("$name"); pending_add "restart-bin $name"; fi
  done
}
step_binaries

# ----------------------------------------------------------- environment

# /etc/default/intvlm8r: the services' settings. Keys already there (edited
# by hand, say) are kept; missing ones are added.
step_env() {
  local tmp key line
  tmp=$(mktemp)
  if [ -f "$ENVFILE" ]; then cp "$ENVFILE" "$tmp"; else
    printf '# intvlm8r-go settings, read by every service (see intvlm8r-web -h).\n' >"$tmp"
  fi
  for line in "INTVLM8R_HOME=$svc_home" "INTVLM8R_LISTEN=$SOCKET" "INTVLM8R_ARDUINO=i2c:/dev/i2c-1@0x04" "INTVLM8R_CAMERA=gphoto2"; do
    key=${line%%=*}
    grep -q "^$key=" "$tmp" || printf '%s\n' "$line" >>"$tmp"
  done
  own "$ENVFILE"
  put "$tmp" "$ENVFILE" 0644 || true
  rm -f "$tmp"
}
step_env

# ----------------------------------------------------------------- units

units=() changed_units=()
step_units() {
  local f u tmp
  for f in "$SRC_UNITS"/*.service "$SRC_UNITS"/*.timer; do
    [ -f "$f" ] || continue
    u=$(basename "$f")
    units+=("$u")
    own "$UNITDIR/$u"
    tmp=$(mktemp)
    sed "s/^User=intvlm8r$/User=$svc_user/" "$f" >"$tmp"
    if put "$tmp" "$UNITDIR/$u" 0644; then changed_units+=("$u"); pending_add "restart $u"; fi
    rm -f "$tmp"
  done
  # After a run that stopped half-way, the files may be new to systemd.
  if [ ${#changed_units[@]} -gt 0 ] || [ -f "$PENDING" ]; then systemctl daemon-reload; fi
  return 0
}

# The clock master orders settime against time-sync.target as the
# original's setTime.service did: after it with NTP, before it without.
step_clock() {
  local master=$clock dest=$UNITDIR/settime.service.d/clock-master.conf
  case $master in
  ntp) systemctl enable --now systemd-timesyncd >/dev/null 2>&1 || warn "could not enable systemd-timesyncd" ;;
  arduino) systemctl disable --now systemd-timesyncd >/dev/null 2>&1 || true ;;
  auto)
    if systemctl is-enabled systemd-timesyncd >/dev/null 2>&1; then master=ntp; else master=arduino; fi ;;
  esac
  own "$dest"
  if put "$SRC_UNITS/settime.service.d/$master-master.conf" "$dest" 0644; then
    systemctl daemon-reload
  fi
  say "  clock master: $master"
}

# -------------------------------------------------------------- nginx

nginx_bad=0
step_nginx() {
  local site=/etc/nginx/sites-available/intvlm8r
  [ -d /etc/nginx ] || { warn "nginx is not installed: the UI is not on port 80"; return 0; }
  # The Python original's site proxied port 8080 too, which the web server
  # now listens on itself: keep a copy, for any TLS lines to carry over.
  if [ -f "$site" ] && ! grep -q 'intvlm8r-go' "$site"; then
    mkdir -p "$BACKUP"
    cp "$site" "$BACKUP/nginx-site-intvlm8r"
    warn "replaced the original's nginx site (copy in $BACKUP/nginx-site-intvlm8r): move any TLS settings into /etc/nginx/intvlm8r.d/"
  fi
  own "$site"
  put "$SRC_SHARE/nginx-site.conf" "$site" 0644 && pending_add nginx-reload
  if [ ! -d /etc/nginx/intvlm8r.d ]; then
    mkdir -p /etc/nginx/intvlm8r.d
    changed "/etc/nginx/intvlm8r.d (your TLS and other site settings)"
  fi
  own /etc/nginx/intvlm8r.d/tls.conf.example
  put "$SRC_SHARE/nginx-tls.conf.example" /etc/nginx/intvlm8r.d/tls.conf.example 0644 || true
  own /etc/nginx/sites-enabled/intvlm8r
  if [ "$(readlink /etc/nginx/sites-enabled/intvlm8r 2>/dev/null)" != "$site" ]; then
    mkdir -p /etc/nginx/sites-enabled
    ln -sfn "$site" /etc/nginx/sites-enabled/intvlm8r
    changed "/etc/nginx/sites-enabled/intvlm8r"
    pending_add nginx-reload
  fi
  # Debian's default site also claims port 80.
  if [ -e /etc/nginx/sites-enabled/default ] || [ -L /etc/nginx/sites-enabled/default ]; then
    rm -f /etc/nginx/sites-enabled/default
    changed "disabled nginx's default site"
    pending_add nginx-reload
  fi
  if command -v nginx >/dev/null 2>&1 && ! nginx -t >/dev/null 2>&1; then
    warn "nginx -t fails: $(nginx -t 2>&1 | tail -2 | tr '\n' ' ')"
    nginx_bad=1
  fi
}

# ------------------------------------------------ polkit, logs, Wi-Fi

step_system_files() {
  local tmp
  own /etc/polkit-1/rules.d/50-intvlm8r.rules
  render polkit.rules | put_text /etc/polkit-1/rules.d/50-intvlm8r.rules 0644 || true
  own /etc/logrotate.d/intvlm8r
  render logrotate.conf | put_text /etc/logrotate.d/intvlm8r 0644 || true
  own /etc/systemd/journald.conf.d/intvlm8r.conf
  if put "$SRC_SHARE/journald.conf" /etc/systemd/journald.conf.d/intvlm8r.conf 0644; then
    systemctl try-restart systemd-journald >/dev/null 2>&1 || true
  fi
  # The console's IP banner (the original's myIp.service printed it once at
  # boot): the login prompt shows the address, kept current by agetty.
  own /etc/issue.d/intvlm8r.issue
  printf 'Intervalometerator: this Pi is at \\4 (web UI: http://\\4/)\n\n' |
    put_text /etc/issue.d/intvlm8r.issue 0644 || true
  if [ -f "$BACKUP/myIp.service" ] || [ -f "$UNITDIR/myIp.service" ]; then
    say "  the original's myIp.service (IP address on the console at boot) is replaced by /etc/issue.d/intvlm8r.issue: the login prompt shows the address"
  fi
  if [ -d /etc/NetworkManager ]; then
    own /etc/NetworkManager/conf.d/intvlm8r-wifi-powersave.conf
    put "$SRC_SHARE/nm-wifi-powersave.conf" /etc/NetworkManager/conf.d/intvlm8r-wifi-powersave.conf 0644 || true
  fi
  # Profiles that set power saving themselves, and the radio right now.
  if command -v nmcli >/dev/null 2>&1 && nmcli -t general status >/dev/null 2>&1; then
    while IFS=: read -r name type; do
      [ "$type" = 802-11-wireless ] || continue
      if [ "$(nmcli -g 802-11-wireless.powersave connection show "$name" 2>/dev/null)" != 2 ] &&
        [ "$(nmcli -g 802-11-wireless.mode connection show "$name" 2>/dev/null)" != ap ]; then
        nmcli connection modify "$name" 802-11-wireless.powersave 2 && changed "Wi-Fi power saving off for '$name'"
      fi
    done < <(nmcli -t -f NAME,TYPE connection show 2>/dev/null)
  fi
  if command -v iw >/dev/null 2>&1; then
    for tmp in /sys/class/net/*/wireless; do
      [ -d "$tmp" ] || continue
      tmp=$(basename "$(dirname "$tmp")")
      if iw dev "$tmp" get power_save 2>/dev/null | grep -q ': on'; then
        iw dev "$tmp" set power_save off && changed "Wi-Fi power saving off on $tmp now"
      fi
    done
  fi
}

# ------------------------------------------------------------ the order
#
# Upgrading the original, the box keeps a working web UI at every step: its
# units keep running while ours are installed and its logins imported; nginx
# is switched to our web server only when that is about to start (the
# original's site holds port 8080, which our web server listens on), and if
# ours does not come up, the original's site comes back. The original's units
# stop only after ours are up.

if [ -n "$upgrade_from" ]; then
  backup_old_install
  drop_old_crontab "$upgrade_from"
fi
step_units
step_clock
step_nginx
step_system_files

if [ -n "$upgrade_from" ]; then
  import_old_logins
fi

# The web login: --login NAME (password from --password-file, or asked).
step_login() {
  local pw="" pw2=""
  if [ -z "$login" ]; then
    if [ -s "$svc_home/www/intvlm8r.users" ]; then return 0; fi
    if [ -t 0 ]; then
      read -r -p "Web login name [admin]: " login
      login=${login:-admin}
    else
      warn "no web login yet: set one with  sudo $0 --login NAME"
      return 0
    fi
  fi
  if [ -n "$password_file" ]; then
    if [ "$password_file" = - ]; then IFS= read -r pw || true; else IFS= read -r pw <"$password_file" || true; fi
    [ -n "$pw" ] || die "--password-file: no password in $password_file"
  elif has_login "$login" && [ ! -t 0 ]; then
    return 0
  elif [ -t 0 ]; then
    if has_login "$login"; then
      read -r -p "The login '$login' exists. Change its password? [y/N] " pw2
      case $pw2 in [yY]*) ;; *) return 0 ;; esac
    fi
    while :; do
      read -r -s -p "Password for $login: " pw; echo
      read -r -s -p "Again: " pw2; echo
      [ -n "$pw" ] && [ "$pw" = "$pw2" ] && break
      say "Empty, or the two differ. Again."
    done
  else
    die "--login $login: give the password with --password-file, or run me on a terminal"
  fi
  # The same password again is no change (bcrypt would give a new hash).
  if has_login "$login" && printf '%s\n' "$pw" |
    runuser -u "$svc_user" -- "$BINDIR/intvlm8r-web" passwd --check --home "$svc_home" "$login" >/dev/null 2>&1; then
    return 0
  fi
  set_password "$login" "$pw"
  changed "web login '$login'"
}
step_login

# ------------------------------------------------------ enable and start

# needs_restart UNIT: its unit file or its binary changed, in this run or in
# one that stopped before restarting it.
needs_restart() {
  local bin
  pending_has "restart $1" && return 0
  bin=$(sed -n 's#^ExecStart=[^ ]*/\(intvlm8r-[a-z0-9-]*\).*#\1#p' "$UNITDIR/$1" | head -1)
  [ -n "$bin" ] && pending_has "restart-bin $bin"
}

# start_service UNIT: started, or restarted when it changed.
start_service() {
  if needs_restart "$1"; then
    systemctl restart "$1" || return 1
  else
    systemctl start "$1" || return 1
  fi
  pending_del "restart $1"
}

# What holds a TCP port, for the message when our web server cannot have it.
port_holder() { ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\).*/\1/p' | head -1; }

# switch_nginx: nginx serves our site (reload, or start). Returns 1 when
# nginx is missing or broken.
switch_nginx() {
  [ -d /etc/nginx ] || return 1
  [ "$nginx_bad" -eq 0 ] || return 1
  systemctl enable nginx >/dev/null 2>&1 || true
  if pending_has nginx-reload && systemctl is-active --quiet nginx; then
    systemctl reload nginx || systemctl restart nginx || return 1
    # A reload returns before the new workers run: wait until the old
    # configuration's port 8080 is closed.
    local _
    for _ in $(seq 50); do
      [ "$(port_holder 8080)" = '"nginx"' ] || break
      sleep 0.1
    done
  else
    systemctl start nginx || return 1
  fi
  pending_del nginx-reload
  return 0
}

start_units() {
  local u holder
  systemctl enable redis-server >/dev/null 2>&1 || true
  systemctl start redis-server || warn "redis-server did not start: the worker cannot run"
  for u in "${units[@]}"; do
    grep -q '^\[Install\]' "$UNITDIR/$u" || continue
    if [ "$(systemctl is-enabled "$u" 2>/dev/null)" != enabled ]; then
      systemctl enable "$u" >/dev/null 2>&1 && changed "enabled $u"
    fi
  done
  # nginx first: the original's site may still hold 8080.
  switch_nginx || warn "nginx is not serving the UI on port 80 (see: nginx -t; systemctl status nginx)"
  holder=$(port_holder 8080)
  if [ -n "$holder" ] && [ "$holder" != '"intvlm8r-web"' ]; then
    warn "port 8080 is held by $holder; intvlm8r-web's local listener needs it (INTVLM8R_LOCAL_LISTEN in $ENVFILE moves it)"
  fi
  if ! start_service intvlm8r-web.service; then
    if [ -n "$upgrade_from" ] && [ -f "$BACKUP/nginx-site-intvlm8r" ]; then
      # Give the original its UI back before giving up.
      cp "$BACKUP/nginx-site-intvlm8r" /etc/nginx/sites-available/intvlm8r
      systemctl reload nginx || true
      pending_add nginx-reload
      die "intvlm8r-web did not start (journalctl -u intvlm8r-web): the original's site and services are back; nothing of them was removed. Fix it and run me again."
    fi
    die "intvlm8r-web did not start: journalctl -u intvlm8r-web"
  fi
  start_service intvlm8r-worker.service || warn "intvlm8r-worker did not start: journalctl -u intvlm8r-worker"
  # Ours are up: now the original's go.
  if [ -n "$upgrade_from" ]; then
    stop_old_install
    step_connectd
  fi
  for u in "${units[@]}"; do
    case $u in
    intvlm8r-web.service | intvlm8r-worker.service) ;;
    *.timer) systemctl start "$u"; pending_del "restart $u" ;;
    *.service)
      # Oneshots run at boot (or from their timer): not now.
      if grep -q '^Type=oneshot' "$UNITDIR/$u"; then pending_del "restart $u"; continue; fi
      start_service "$u" || warn "$u did not start"
      ;;
    esac
  done
  local b
  for b in "$SRC_BIN"/intvlm8r-*; do pending_del "restart-bin $(basename "$b")"; done
}
start_units

# What --uninstall removes and what doctor checks.
mkdir -p "$LIB"
{
  printf 'redis-server.service\nnginx.service\n'
  printf '%s\n' "${units[@]}"
} | put_text "$LIB/units" 0644 || true
printf '%s\n' "${owned[@]}" | sort -u | put_text "$LIB/files" 0644 || true

say ""
if [ "$changes" -eq 0 ]; then
  say "Nothing to change: intvlm8r-go is installed and up to date."
else
  say "$changes change(s) made. The service runs as $svc_user; data in $svc_home."
fi
[ "$need_reboot" -eq 1 ] && say "Reboot for the I2C and GPIO settings to take effect: sudo reboot"
for w in "${warnings[@]}"; do say "WARNING: $w"; done

if [ "$doctor" -eq 1 ]; then
  say ""
  say "Health check (intvlm8r-doctor):"
  set -a
  # shellcheck disable=SC1090
  . "$ENVFILE"
  set +a
  runuser -u "$svc_user" -- env INTVLM8R_HOME="$svc_home" "$BINDIR/intvlm8r-doctor" || true
fi
