#!/usr/bin/env bash
# End-to-end test of scripts/install.sh in throwaway Debian bookworm roots
# (debootstrap), as root, with every systemctl call recorded by a stand-in
# rather than executed:
#   1. fresh install: files land where they should; a second run changes
#      nothing; --uninstall removes the software and keeps the photos;
#   2. upgrade in place from a synthetic install of the Python original (an
#      intvlm8r.py with users lines, an INI, photos, thumbnails, previews,
#      ledgers, tokens, ~/.ssh, its units, crontab and nginx site): every
#      file is kept, the old units and crontab lines are gone, the logins are
#      imported (checked by logging in to the real web server); a second run
#      changes nothing.
#
# The bookworm base root (debootstrap --variant=minbase) and the downloaded
# .debs are cached in $INTVLM8R_CACHE (default /var/cache/intvlm8r-test), so
# a re-run needs no network. Needs: debootstrap, curl, redis-server (apt),
# root, and the binaries from `make build` (INTVLM8R_BIN, default ./bin).
#
#   scripts/test-install.sh            run every scenario
#   scripts/test-install.sh --prepare  only make the cached base root
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${INTVLM8R_CACHE:-/var/cache/intvlm8r-test}
bin=${INTVLM8R_BIN:-$repo/bin}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=$cache/base-bookworm-minbase.tar
work=$(mktemp -d /tmp/intvlm8r-install-test.XXXXXX)
failures=0

[ "$(id -u)" -eq 0 ] || { echo "test-install: run as root (it makes chroots)" >&2; exit 1; }

# Run in a mount namespace of our own, private: no mount made here can reach
# the host's, and all of them vanish with the namespace whatever happens.
if [ -z "${INTVLM8R_IN_MOUNT_NS:-}" ]; then
  rmdir "$work"
  INTVLM8R_IN_MOUNT_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

# Mounts under the work folder, deepest first.
mounts_under() { awk -v w="$1/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r; }

cleanup() {
  local m
  for m in $(mounts_under "$work"); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  if [ -n "$(mounts_under "$work")" ]; then
    # Never delete through a mount: that would reach the host's files.
    echo "test-install: mounts left under $work, not deleting it:" >&2
    mounts_under "$work" >&2
    return
  fi
  if [ -n "${KEEP:-}" ]; then echo "test-install: kept $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
check() { # description command...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}

prepare_base() {
  [ -s "$base" ] && return 0
  command -v debootstrap >/dev/null || { echo "test-install: apt-get install debootstrap" >&2; exit 1; }
  mkdir -p "$cache/debs"
  local tmp=$work/base start=$SECONDS
  echo "test-install: debootstrap bookworm (minbase) into $tmp"
  debootstrap --variant=minbase --cache-dir="$cache/debs" \
    --include=systemd,adduser,python3,cron,libcap2-bin,ca-certificates,procps \
    bookworm "$tmp" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  printf 'deb %s bookworm main\n' "$mirror" >"$tmp/etc/apt/sources.list"
  chroot "$tmp" apt-get update -qq
  tar -C "$tmp" -cf "$base.tmp" .
  mv "$base.tmp" "$base"
  [ -z "$(mounts_under "$tmp")" ] && rm -rf --one-file-system "$tmp"
  echo "test-install: base root made in $((SECONDS - start)) s ($(du -h "$base" | cut -f1))"
}

# new_root NAME: a fresh copy of the base in $ROOT, mounted for chroot, with
# the recording systemctl and what Raspberry Pi OS has that Debian lacks.
# Its /dev is its own few nodes, never the host's /dev bound in.
new_root() {
  local r=$work/$1
  ROOT=$r
  mkdir -p "$r"
  tar -C "$r" -xf "$base"
  mount -t proc proc "$r/proc"
  mount -t sysfs -o ro sysfs "$r/sys"
  rm -rf --one-file-system "${r:?}/dev"
  mkdir -m 0755 "$r/dev" "$r/dev/pts" "$r/dev/shm"
  mknod -m 666 "$r/dev/null" c 1 3
  mknod -m 666 "$r/dev/zero" c 1 5
  mknod -m 666 "$r/dev/full" c 1 7
  mknod -m 666 "$r/dev/random" c 1 8
  mknod -m 666 "$r/dev/urandom" c 1 9
  mknod -m 666 "$r/dev/tty" c 5 0
  ln -s /proc/self/fd "$r/dev/fd"
  mkdir -p "$cache/apt-archives/partial"
  mount --bind "$cache/apt-archives" "$r/var/cache/apt/archives"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  # Packages' maintainer scripts must not start services in a chroot.
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
  chmod +x "$r/usr/sbin/policy-rc.d"
  cat >"$r/usr/local/sbin/systemctl" <<'EOF'
#!/bin/sh
# Test stand-in: records every call. Enabling and disabling are done by the
# real systemctl, offline (it only makes symlinks); nothing is started.
printf '%s\n' "$*" >>/var/log/systemctl.calls
case $1 in
enable | disable | is-enabled | mask | unmask | preset) exec /usr/bin/systemctl "$@" ;;
is-active) echo inactive; exit 3 ;;
show) echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2; exit 1 ;;
esac
exit 0
EOF
  chmod +x "$r/usr/local/sbin/systemctl"
  mkdir -p "$r/boot/firmware" "$r/etc/NetworkManager/conf.d"
  printf '# Raspberry Pi OS config.txt (test copy)\ndtparam=audio=on\ncamera_auto_detect=1\n\n[all]\n' >"$r/boot/firmware/config.txt"
  # The release archive's layout, with this machine's binaries.
  mkdir -p "$r/opt/intvlm8r/bin" "$r/opt/intvlm8r/systemd" "$r/opt/intvlm8r/share"
  cp "$bin"/intvlm8r-* "$r/opt/intvlm8r/bin/"
  cp -r "$repo"/scripts/systemd/. "$r/opt/intvlm8r/systemd/"
  cp -r "$repo"/scripts/install/. "$r/opt/intvlm8r/share/"
  cp "$repo/scripts/install.sh" "$r/opt/intvlm8r/install.sh"
}

in_root() { # root command...
  local r=$1
  shift
  chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# snapshot ROOT: path, mode, owner and checksum of everything install.sh may touch.
snapshot() {
  local r=$1
  (cd "$r" && find etc usr/local home boot var/spool/cron var/backups -printf '%p %m %U:%G %l\n' 2>/dev/null | sort)
  (cd "$r" && find etc usr/local home boot var/spool/cron var/backups -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum)
}

# login_ok HOME NAME PASSWORD: the real web server, on this machine, accepts it.
login_ok() {
  local home=$1 name=$2 pw=$3 port lport jar tok loc pid rc=1
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  lport=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  jar=$(mktemp)
  "$bin/intvlm8r-web" --home "$home" --listen "127.0.0.1:$port" --local-listen "127.0.0.1:$lport" \
    --redis 127.0.0.1:1 --arduino sim --camera sim >"$work/web.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.1; done
  tok=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p')
  loc=$(curl -s -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" --data-urlencode "_csrf=$tok" \
    --data-urlencode "username=$name" --data-urlencode "password=$pw" "http://127.0.0.1:$port/login")
  case $loc in */login*) rc=1 ;; http*/) rc=0 ;; esac
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  rm -f "$jar"
  return "$rc"
}

fresh_install() {
  echo "== fresh install"
  local r start t1 before after
  new_root fresh
  r=$ROOT
  start=$SECONDS
  printf 'first-pass-word\n' | in_root "$r" /opt/intvlm8r/install.sh --login admin --password-file - >"$work/fresh1.log" 2>&1 ||
    { fail "install.sh exits 0"; tail -30 "$work/fresh1.log"; return; }
  t1=$((SECONDS - start))
  pass "install.sh exits 0 (${t1} s, packages $( [ -n "${PKGS_CACHED:-}" ] && echo cached || echo downloaded))"
  local b u
  for b in "$bin"/intvlm8r-*; do
    check "binary $(basename "$b") installed" cmp "$b" "$r/usr/local/bin/$(basename "$b")"
  done
  for u in "$repo"/scripts/systemd/*.service "$repo"/scripts/systemd/*.timer; do
    u=$(basename "$u")
    check "unit $u installed for user intvlm8r" grep -q '^User=intvlm8r$\|^\[Timer\]' "$r/etc/systemd/system/$u"
    check "$u listed for doctor" grep -qx "$u" "$r/usr/local/lib/intvlm8r/units"
    if grep -q '^\[Install\]' "$r/etc/systemd/system/$u"; then
      check "$u enabled" test -L "$r/etc/systemd/system/$(sed -n 's/^WantedBy=//p' "$r/etc/systemd/system/$u").wants/$u"
    fi
  done
  check "settime ordered by a clock-master drop-in" cmp "$repo/scripts/systemd/settime.service.d/arduino-master.conf" "$r/etc/systemd/system/settime.service.d/clock-master.conf"
  check "no fast hash of the password kept" test ! -e "$r/usr/local/lib/intvlm8r/login.sha256"
  check "systemctl daemon-reload called" grep -qx 'daemon-reload' "$r/var/log/systemctl.calls"
  check "web service restarted" grep -qx 'restart intvlm8r-web.service' "$r/var/log/systemctl.calls"
  check "heartbeat timer started" grep -qx 'start heartbeat.timer' "$r/var/log/systemctl.calls"
  check "oneshots not started now" bash -c "! grep -q '^start heartbeat-boot' '$r/var/log/systemctl.calls'"
  check "packages installed" in_root "$r" dpkg-query -W redis-server nginx rsync i2c-tools libgphoto2-6 iw logrotate
  check "service user" in_root "$r" id intvlm8r
  for g in i2c plugdev video dialout netdev www-data; do
    check "intvlm8r in group $g" bash -c "chroot '$r' id -nG intvlm8r | tr ' ' '\n' | grep -qx $g"
  done
  check "not in sudo" bash -c "! chroot '$r' id -nG intvlm8r | grep -qw sudo"
  for d in www www/static photos thumbs preview .intvlm8r; do
    check "folder ~/$d owned by intvlm8r" test "$(in_root "$r" stat -c %U "/home/intvlm8r/$d")" = intvlm8r
  done
  check "env file" grep -qx 'INTVLM8R_HOME=/home/intvlm8r' "$r/etc/default/intvlm8r"
  check "env: socket" grep -qx 'INTVLM8R_LISTEN=/run/intvlm8r/web.sock' "$r/etc/default/intvlm8r"
  check "env: arduino" grep -qx 'INTVLM8R_ARDUINO=i2c:/dev/i2c-1@0x04' "$r/etc/default/intvlm8r"
  check "env: camera" grep -qx 'INTVLM8R_CAMERA=gphoto2' "$r/etc/default/intvlm8r"
  check "I2C at 40 kHz" grep -qx 'dtparam=i2c_arm=on,i2c_arm_baudrate=40000' "$r/boot/firmware/config.txt"
  check "gpio-shutdown" grep -q '^dtoverlay=gpio-shutdown,gpio_pin=17' "$r/boot/firmware/config.txt"
  check "gpio-poweroff" grep -q '^dtoverlay=gpio-poweroff,gpiopin=27' "$r/boot/firmware/config.txt"
  check "config.txt kept its lines" grep -qx 'camera_auto_detect=1' "$r/boot/firmware/config.txt"
  check "i2c-dev module" grep -qx 'i2c-dev' "$r/etc/modules"
  check "nginx site enabled" test "$(readlink "$r/etc/nginx/sites-enabled/intvlm8r")" = /etc/nginx/sites-available/intvlm8r
  check "nginx default site off" test ! -e "$r/etc/nginx/sites-enabled/default"
  check "nginx proxies the socket" grep -q 'server unix:/run/intvlm8r/web.sock;' "$r/etc/nginx/sites-available/intvlm8r"
  check "nginx -t" in_root "$r" nginx -t
  check "TLS example" test -f "$r/etc/nginx/intvlm8r.d/tls.conf.example"
  # The TLS example, switched on with a throwaway certificate, passes nginx -t.
  if command -v openssl >/dev/null; then
    mkdir -p "$r/etc/nginx/ssl"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=intvlm8r -keyout "$r/etc/nginx/ssl/intvlm8r.key" \
      -out "$r/etc/nginx/ssl/intvlm8r.crt" >/dev/null 2>&1
    cp "$r/etc/nginx/intvlm8r.d/tls.conf.example" "$r/etc/nginx/intvlm8r.d/tls.conf"
    check "nginx -t with TLS on" in_root "$r" nginx -t
    rm -rf "$r/etc/nginx/intvlm8r.d/tls.conf" "$r/etc/nginx/ssl"
  fi
  check "polkit rule for intvlm8r" grep -q 'subject.user !== "intvlm8r"' "$r/etc/polkit-1/rules.d/50-intvlm8r.rules"
  check "polkit rule: set-time" grep -q 'org.freedesktop.timedate1.set-time' "$r/etc/polkit-1/rules.d/50-intvlm8r.rules"
  check "no sudoers entry" test ! -e "$r/etc/sudoers.d/intvlm8r"
  check "logrotate paths" grep -q '/home/intvlm8r/www/static/piTransfer.log' "$r/etc/logrotate.d/intvlm8r"
  check "logrotate accepts it" in_root "$r" logrotate -d /etc/logrotate.d/intvlm8r
  check "journald size" test -f "$r/etc/systemd/journald.conf.d/intvlm8r.conf"
  check "Wi-Fi power save off (NetworkManager)" grep -q 'wifi.powersave = 2' "$r/etc/NetworkManager/conf.d/intvlm8r-wifi-powersave.conf"
  check "web login stored hashed" grep -Eq '^admin:[$]2' "$r/home/intvlm8r/www/intvlm8r.users"
  check "password not stored" bash -c "! grep -rq first-pass-word '$r/home' '$r/usr/local/lib/intvlm8r' '$r/etc'"
  check "login works" login_ok "$r/home/intvlm8r" admin first-pass-word
  check "doctor ran" grep -q 'PASS  Disk space' "$work/fresh1.log"
  check "systemd-analyze verify of the installed units" bash -c "cd '$r/etc/systemd/system' && INTVLM8R_BIN='$r/usr/local/bin' '$repo/scripts/verify-units.sh'"

  echo "== second run changes nothing"
  before=$(snapshot "$r")
  printf 'first-pass-word\n' | in_root "$r" /opt/intvlm8r/install.sh --login admin --password-file - >"$work/fresh2.log" 2>&1 ||
    fail "second run exits 0"
  after=$(snapshot "$r")
  check "second run: no file changed" test "$before" = "$after"
  check "second run says so" grep -q 'Nothing to change' "$work/fresh2.log"
  if [ "$before" != "$after" ]; then diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -20; fi

  echo "== new password"
  printf 'second-pass-word\n' | in_root "$r" /opt/intvlm8r/install.sh --login admin --password-file - --no-doctor >"$work/fresh3.log" 2>&1
  check "password changed" login_ok "$r/home/intvlm8r" admin second-pass-word
  if login_ok "$r/home/intvlm8r" admin first-pass-word; then fail "old password refused"; else pass "old password refused"; fi

  echo "== uninstall"
  mkdir -p "$r/home/intvlm8r/photos/DCIM/100CANON"
  printf 'photo' >"$r/home/intvlm8r/photos/DCIM/100CANON/IMG_0001.JPG"
  in_root "$r" /opt/intvlm8r/install.sh --uninstall >"$work/uninstall.log" 2>&1 || fail "uninstall exits 0"
  check "binaries removed" bash -c "! ls '$r'/usr/local/bin/intvlm8r-* 2>/dev/null"
  check "units removed" test ! -e "$r/etc/systemd/system/intvlm8r-web.service"
  check "units disabled" test ! -e "$r/etc/systemd/system/multi-user.target.wants/intvlm8r-web.service"
  check "nginx site removed" test ! -e "$r/etc/nginx/sites-enabled/intvlm8r"
  check "env file removed" test ! -e "$r/etc/default/intvlm8r"
  check "polkit rule removed" test ! -e "$r/etc/polkit-1/rules.d/50-intvlm8r.rules"
  check "photos kept" test -f "$r/home/intvlm8r/photos/DCIM/100CANON/IMG_0001.JPG"
  check "logins kept" test -s "$r/home/intvlm8r/www/intvlm8r.users"
  FRESH_SECONDS=$t1
}

# The Python original as operations.md describes it, for user pi.
make_old_install() {
  local r=$1 h=$1/home/pi u
  in_root "$r" useradd -m -s /bin/bash -G www-data pi
  mkdir -p "$h/www/static" "$h/photos/DCIM/100CANON" "$h/thumbs/DCIM/100CANON" "$h/preview/DCIM/100CANON" "$h/.ssh" "$h/venv/bin"
  cat >"$h/www/intvlm8r.py" <<'EOF'
from flask import Flask
app = Flask(__name__)
app.secret_key = '6f1c2a9e-1d7b-4c55-9a3e-3b2f1e0d9c8b'
# Our mock database.
users = { 'admin': { 'password': 'password' } }  # the original's default login, spaced as a hand edit might
users.update({'Greig': {'password': "it's: a \"secret\" #1"}})
users.update({'bob': {'password': 'b0b pass'}})
EOF
  cat >"$h/www/intvlm8r.ini" <<'EOF'
[Global]
file created = 01 Jan 2024
locationname = North Ridge
thumbscount = 24
enablecamerausb = True

[Transfer]
tfrmethod = SFTP
sftpserver = backup.example.com
sftpuser = pi
sftppassword = p%%ss

[Copy]
copyday = Daily
copyhour = 14
renamestring = %%Y%%m%%d

[Monitoring]
heartbeatfrequency = 15
heartbeaturl = https://hc-ping.com/abc
EOF
  head -c 200000 /dev/urandom >"$h/photos/DCIM/100CANON/IMG_0001.JPG"
  head -c 300000 /dev/urandom >"$h/photos/DCIM/100CANON/IMG_0002.CR2"
  printf '/home/pi/photos/default_image.JPG\n/home/pi/photos/DCIM/100CANON/IMG_0001.JPG\n' >"$h/photos/uploadedOK.txt"
  printf '100CANON/IMG_0001.JPG IMG_0001.JPG\r\n100CANON/IMG_0002.CR2 IMG_0002.CR2\r\n' >"$h/photos/piPhotoRename.txt"
  head -c 5000 /dev/urandom >"$h/thumbs/DCIM/100CANON/IMG_0001-thumb.JPG"
  printf 'IMG_0001.JPG = 2024/01/02 09:00:00|JPG &bull; 1/100s &bull; F8 &bull; ISO100\r\n' >"$h/thumbs/piThumbsInfo.txt"
  head -c 9000 /dev/urandom >"$h/preview/DCIM/100CANON/IMG_0002-preview.JPG"
  head -c 9000 /dev/urandom >"$h/preview/intvlm8r-preview.jpg"
  printf '2024/01/02 09:15:00 (200)\n' >"$h/hbresults.txt"
  printf '2024/01/02 14:00:01 STATUS: 1 of 1 files uploaded OK\n' >"$h/www/static/piTransfer.log"
  printf 'dropbox-refresh-token\n' >"$h/www/Dropbox_token.txt"
  printf 'backup.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample\n' >"$h/.ssh/known_hosts"
  printf 'not a real key\n' >"$h/.ssh/id_rsa"
  chmod 600 "$h/.ssh/id_rsa"
  printf '2024/01/02 03:30:00 New Arduino time is 20240102033000\n' >"$h/setTime.log"
  in_root "$r" chown -R pi:www-data /home/pi
  # Its units (operations.md §3.1), enabled.
  for u in intvlm8r celery cameraTransfer piTransfer setTime heartbeat myIp; do
    cat >"$r/etc/systemd/system/$u.service" <<EOF
[Unit]
Description=original $u
After=network.target
[Service]
User=pi
Group=www-data
WorkingDirectory=/home/pi/www
ExecStart=/home/pi/venv/bin/python3 /home/pi/www/$u.py
[Install]
WantedBy=multi-user.target
EOF
  done
  sed -i 's#^ExecStart=.*#ExecStart=/home/pi/venv/bin/gunicorn --bind unix:intvlm8r.sock wsgi:app#' "$r/etc/systemd/system/intvlm8r.service"
  printf '[Unit]\nDescription=heartbeat\n[Timer]\nOnCalendar=*:0/5\nUnit=heartbeat.service\n[Install]\nWantedBy=timers.target\n' >"$r/etc/systemd/system/heartbeat.timer"
  printf 'CELERYD_NODES="celery_worker"\n' >"$r/etc/default/celery"
  for u in intvlm8r celery cameraTransfer piTransfer setTime heartbeat myIp; do in_root "$r" /usr/bin/systemctl enable "$u.service" >/dev/null 2>&1; done
  in_root "$r" /usr/bin/systemctl enable heartbeat.timer >/dev/null 2>&1
  # Its crontab (operations.md §3.3) and a line of the user's own.
  printf '0 * * * * /usr/bin/python3 /home/pi/www/cameraTransfer.py 2>&1 | logger -t cameraTransfer\n0 * * * * /usr/bin/python3 /home/pi/www/piTransfer.py 2>&1 | logger -t piTransfer\n30 3 * * * /usr/bin/python3 /home/pi/www/setTime.py 2>&1 | logger -t setTime\n15 4 * * * /home/pi/mybackup.sh\n' >"$work/crontab"
  cp "$work/crontab" "$r/tmp/crontab"
  in_root "$r" crontab -u pi /tmp/crontab
  # Its nginx site, and /bin/date with CAP_SYS_TIME.
  in_root "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null 2>&1
  printf 'server {\n    listen 80 default_server;\n    location / { include proxy_params; proxy_pass http://unix:/home/pi/www/intvlm8r.sock; }\n}\nserver {\n    listen 8080 default_server;\n    location /heartbeat { proxy_pass http://unix:/home/pi/www/intvlm8r.sock; }\n}\n' >"$r/etc/nginx/sites-available/intvlm8r"
  ln -sf /etc/nginx/sites-available/intvlm8r "$r/etc/nginx/sites-enabled/intvlm8r"
  in_root "$r" setcap CAP_SYS_TIME+ep /usr/bin/date
  # The config.txt the original left: I2C already on at 40 kHz.
  printf '[all]\ndtparam=i2c1=on\ndtparam=i2c_arm=on,i2c_arm_baudrate=40000\n' >>"$r/boot/firmware/config.txt"
}

upgrade() {
  echo "== upgrade in place from the Python original"
  local r data_before data_after before after u
  new_root upgrade
  r=$ROOT
  make_old_install "$r"
  data_before=$(cd "$r/home/pi" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  in_root "$r" /opt/intvlm8r/install.sh >"$work/upgrade1.log" 2>&1 || { fail "upgrade exits 0"; tail -30 "$work/upgrade1.log"; return; }
  pass "upgrade exits 0"
  data_after=$(cd "$r/home/pi" && while read -r _ f; do sha256sum "$f"; done <<<"$data_before")
  check "every file of the old install kept, unchanged" test "$data_before" = "$data_after"
  for f in www/intvlm8r.ini photos/uploadedOK.txt photos/piPhotoRename.txt thumbs/piThumbsInfo.txt hbresults.txt \
    www/static/piTransfer.log www/Dropbox_token.txt .ssh/known_hosts .ssh/id_rsa photos/DCIM/100CANON/IMG_0002.CR2 \
    thumbs/DCIM/100CANON/IMG_0001-thumb.JPG preview/DCIM/100CANON/IMG_0002-preview.JPG; do
    check "kept $f" test -s "$r/home/pi/$f"
  done
  check ".ssh/id_rsa still 0600" test "$(stat -c %a "$r/home/pi/.ssh/id_rsa")" = 600
  check "runs as pi" grep -qx 'User=pi' "$r/etc/systemd/system/intvlm8r-web.service"
  check "home stays /home/pi" grep -qx 'INTVLM8R_HOME=/home/pi' "$r/etc/default/intvlm8r"
  check "no intvlm8r user made" bash -c "! chroot '$r' id intvlm8r"
  for u in intvlm8r celery cameraTransfer piTransfer setTime myIp; do
    check "old $u.service stopped and disabled" grep -qx "disable --now $u.service" "$r/var/log/systemctl.calls"
    check "old $u.service unit moved aside" test -f "$r/var/backups/intvlm8r-python/$u.service" -a ! -e "$r/etc/systemd/system/$u.service"
    check "old $u.service not enabled" test ! -e "$r/etc/systemd/system/multi-user.target.wants/$u.service"
  done
  check "old heartbeat.timer disabled" grep -qx "disable --now heartbeat.timer" "$r/var/log/systemctl.calls"
  check "our heartbeat.timer in its place" grep -q 'intvlm8r\|Intervalometerator' "$r/etc/systemd/system/heartbeat.timer"
  check "heartbeat.service is ours" grep -q '/usr/local/bin/intvlm8r-heartbeat' "$r/etc/systemd/system/heartbeat.service"
  check "old celery defaults moved aside" test ! -e "$r/etc/default/celery"
  check "crontab: only the user's own line left" test "$(in_root "$r" crontab -u pi -l)" = '15 4 * * * /home/pi/mybackup.sh'
  check "old crontab backed up" cmp "$work/crontab" "$r/var/backups/intvlm8r-python/crontab.pi"
  check "logins imported: admin" grep -Eq '^admin:[$]2' "$r/home/pi/www/intvlm8r.users"
  check "logins imported: greig" grep -Eq '^greig:[$]2' "$r/home/pi/www/intvlm8r.users"
  check "logins imported: bob" grep -Eq '^bob:[$]2' "$r/home/pi/www/intvlm8r.users"
  check "imported login works (quotes, colon, hash)" login_ok "$r/home/pi" greig "it's: a \"secret\" #1"
  check "imported login works (space)" login_ok "$r/home/pi" bob 'b0b pass'
  check "default password flagged" grep -q "default password" "$work/upgrade1.log"
  check "CAP_SYS_TIME taken off date" test -z "$(in_root "$r" getcap /usr/bin/date)"
  check "old nginx site backed up" grep -q 'listen 8080' "$r/var/backups/intvlm8r-python/nginx-site-intvlm8r"
  check "nginx site replaced (no listen 8080)" bash -c "! grep -q 'listen 8080' '$r/etc/nginx/sites-available/intvlm8r'"
  check "nginx -t" in_root "$r" nginx -t
  check "I2C line not doubled" test "$(grep -c i2c_arm_baudrate "$r/boot/firmware/config.txt")" = 1
  check "logrotate for pi's home" grep -q 'su pi www-data' "$r/etc/logrotate.d/intvlm8r"

  echo "== upgrade: second run changes nothing"
  before=$(snapshot "$r")
  in_root "$r" /opt/intvlm8r/install.sh >"$work/upgrade2.log" 2>&1 || fail "second upgrade run exits 0"
  after=$(snapshot "$r")
  check "second run: no file changed" test "$before" = "$after"
  check "second run says so" grep -q 'Nothing to change' "$work/upgrade2.log"
  if [ "$before" != "$after" ]; then diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -20; fi
}

[ "${1:-}" = --prepare ] && { prepare_base; exit 0; }
for b in web worker heartbeat doctor; do
  [ -x "$bin/intvlm8r-$b" ] || { echo "test-install: $bin/intvlm8r-$b missing: run make build" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "test-install: apt-get install curl" >&2; exit 1; }
prepare_base
if compgen -G "$cache/apt-archives/*.deb" >/dev/null; then PKGS_CACHED=1; fi
fresh_install
upgrade
echo
echo "install time into the debootstrap root: ${FRESH_SECONDS:-?} s (packages $( [ -n "${PKGS_CACHED:-}" ] && echo cached || echo downloaded))"
if [ "$failures" -gt 0 ]; then
  echo "test-install: $failures check(s) FAILED (KEEP=1 keeps the roots and logs)"
  exit 1
fi
echo "test-install: all checks passed"
