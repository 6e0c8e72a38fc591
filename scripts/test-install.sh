#!/usr/bin/env bash
# shellcheck disable=SC2016 # many commands here run in the booted root's shell
# End-to-end test of scripts/install.sh under a real systemd: each Debian
# bookworm root is booted with `systemd-nspawn --boot` (systemd as PID 1, its
# own loopback-only network), and install.sh runs inside it.
#   (a) fresh install on a root whose /boot/firmware/config.txt is the stock
#       Raspberry Pi OS Bookworm file (commented I2C line, [cm4]/[cm5]/[all]);
#   (b) upgrade over a root left as the original's setup.sh leaves it: its
#       units enabled and running, its nginx site listening on 80 and 8080,
#       its crontab lines, users = {...} with a 6-character password, an INI
#       with an FTP setup and no ftpactive key, remote.it's connectd override;
#   (c) a second run, which must change nothing;
#   (d) a reboot, after which everything comes back.
# After each: the units are active, nginx serves the login page on port 80,
# the imported login works through nginx, a beat reaches a receiver inside the
# root, intvlm8r-doctor passes but for the absent hardware, and config.txt has
# I2C on at 40 kHz for every board.
#
# The original's programs are not run (no PyPI here): its units run small
# stand-ins under its unit names, its web UI a stand-in on its gunicorn socket.
#
# The base root (mmdebstrap, with the .debs install.sh needs downloaded in
# it) is cached in $INTVLM8R_CACHE (default /var/cache/intvlm8r-test); the
# roots have no network. Needs root, systemd-container, mmdebstrap, and the
# binaries from `make build` (INTVLM8R_BIN, default ./bin). It fails, never
# skips, when it cannot run.
#
#   scripts/test-install.sh            every scenario
#   scripts/test-install.sh --prepare  only make the cached base root
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${INTVLM8R_CACHE:-/var/cache/intvlm8r-test}
bin=${INTVLM8R_BIN:-$repo/bin}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=$cache/booted-bookworm.tar
fx=$repo/scripts/testdata/config-txt
failures=0
PATH=$PATH:/usr/sbin:/sbin

die() { echo "test-install: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (it boots containers)"

# A mount namespace of our own: no mount made here reaches the host's.
if [ -z "${INTVLM8R_IN_MOUNT_NS:-}" ]; then
  INTVLM8R_IN_MOUNT_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
work=$(mktemp -d /tmp/intvlm8r-install-test.XXXXXX)

declare -A NSPAWN LEADER
mounts_under() { awk -v w="$1/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r; }
cleanup() {
  local n p
  for n in "${!NSPAWN[@]}"; do
    p=${NSPAWN[$n]}
    kill -0 "$p" 2>/dev/null || continue
    kill -TERM "$p" 2>/dev/null || true # nspawn: a clean poweroff of the container
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -n "$(mounts_under "$work")" ]; then
    # Never delete through a mount.
    echo "test-install: mounts left under $work, not deleting it" >&2
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
  if "$@" >"$work/check.out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/      /' "$work/check.out" | tail -8; fi
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

prepare_base() {
  [ -s "$base" ] && return 0
  command -v mmdebstrap >/dev/null || die "apt-get install mmdebstrap"
  mkdir -p "$cache"
  local start=$SECONDS
  echo "test-install: mmdebstrap bookworm into $base"
  # The packages install.sh installs are downloaded into the root (not
  # installed), so that it installs them offline.
  mmdebstrap --variant=apt --skip=cleanup/apt/lists,cleanup/apt/cache \
    --include=systemd-sysv,dbus,python3,cron,curl,ca-certificates,procps,libcap2-bin,adduser,iproute2 \
    --customize-hook='chroot "$1" apt-get install -y -q --download-only --no-install-recommends redis-server libgphoto2-6 libgphoto2-port12 libjpeg62-turbo rsync nginx i2c-tools iw logrotate' \
    bookworm "$base.tmp.tar" "$mirror" >"$work/mmdebstrap.log" 2>&1 || { tail -20 "$work/mmdebstrap.log"; die "mmdebstrap failed"; }
  mv "$base.tmp.tar" "$base"
  echo "test-install: base root made in $((SECONDS - start)) s ($(du -h "$base" | cut -f1))"
}

# new_root NAME: a fresh copy of the base, with the stock config.txt, a beat
# receiver, and the release archive's layout in /opt/intvlm8r.
new_root() {
  local r=$work/$1
  mkdir -p "$r"
  tar -C "$r" -xf "$base"
  printf '%s\n' "$1" >"$r/etc/hostname"
  mkdir -p "$r/boot/firmware"
  cp "$fx/stock-bookworm.txt" "$r/boot/firmware/config.txt"
  mkdir -p "$r/opt/intvlm8r/bin" "$r/opt/intvlm8r/systemd" "$r/opt/intvlm8r/share"
  cp "$bin"/intvlm8r-* "$r/opt/intvlm8r/bin/"
  cp -r "$repo"/scripts/systemd/. "$r/opt/intvlm8r/systemd/"
  cp -r "$repo"/scripts/install/. "$r/opt/intvlm8r/share/"
  cp "$repo/scripts/install.sh" "$r/opt/intvlm8r/install.sh"
  # The heartbeat receiver: every request, with the time, in /var/log/beats.
  cat >"$r/usr/local/sbin/beat-receiver" <<'EOF'
#!/usr/bin/python3
import http.server, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open("/var/log/beats", "a") as f:
            f.write("%.3f %s\n" % (time.time(), self.path))
        self.send_response(200); self.end_headers(); self.wfile.write(b"OK")
    do_POST = do_GET
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", 9999), H).serve_forever()
EOF
  chmod +x "$r/usr/local/sbin/beat-receiver"
  printf '[Unit]\nDescription=test heartbeat receiver\n[Service]\nExecStart=/usr/local/sbin/beat-receiver\n[Install]\nWantedBy=multi-user.target\n' \
    >"$r/etc/systemd/system/beat-receiver.service"
  ln -s /etc/systemd/system/beat-receiver.service "$r/etc/systemd/system/multi-user.target.wants/beat-receiver.service"
}

# boot NAME: systemd-nspawn --boot, until systemd says the system is up.
boot() {
  local n=$1 r=$work/$1 p
  systemd-nspawn -q -D "$r" --boot --register=no --keep-unit --private-network -M "$n" \
    </dev/null >>"$work/$n.console" 2>&1 &
  p=$!
  NSPAWN[$n]=$p
  find_leader "$n" ""
}

# find_leader NAME OLD: the container's PID 1 (a child of systemd-nspawn
# whose name is systemd, other than OLD), once systemd says it is up.
find_leader() {
  local n=$1 old=$2 p=${NSPAWN[$1]} l=""
  for _ in $(seq 600); do
    l=$(ps -o pid= --ppid "$p" 2>/dev/null | head -1 | tr -d ' ' || true)
    if [ -n "$l" ] && [ "$l" != "$old" ] && [ "$(cat "/proc/$l/comm" 2>/dev/null || true)" = systemd ]; then break; fi
    kill -0 "$p" 2>/dev/null || break
    l=""
    sleep 0.1
  done
  [ -n "$l" ] || { tail -20 "$work/$n.console"; die "systemd-nspawn could not boot $n (see above)"; }
  LEADER[$n]=$l
  LEADER_AT=$(now)
  local st=""
  # Until the manager answers on its bus, systemctl prints nothing.
  for _ in $(seq 120); do
    st=$(in_box "$n" timeout 120 systemctl is-system-running --wait 2>/dev/null || true)
    [ -n "$st" ] && break
    sleep 0.5
  done
  case $st in running | degraded) ;; *) tail -20 "$work/$n.console"; die "$n did not boot: $st" ;; esac
  [ "$st" = degraded ] && in_box "$n" systemctl --failed --no-legend | sed 's/^/      degraded: /'
  return 0
}

# in_box NAME command...: run inside the booted root.
in_box() {
  local n=$1
  shift
  nsenter -t "${LEADER[$n]}" -m -u -i -n -p -r -w /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# reboot_box NAME: systemctl reboot inside; systemd-nspawn boots the root
# again in the same process (or exits, and then it is booted anew).
reboot_box() {
  local n=$1 p=${NSPAWN[$1]} old=${LEADER[$1]}
  in_box "$n" systemctl reboot >/dev/null 2>&1 || true
  for _ in $(seq 600); do [ -d "/proc/$old" ] || break; sleep 0.1; done
  [ -d "/proc/$old" ] && die "$n did not shut down"
  # Until a new PID 1 appears, systemd-nspawn may still be on its way out:
  # wait for one or the other before choosing.
  local l=""
  for _ in $(seq 600); do
    kill -0 "$p" 2>/dev/null || break
    l=$(ps -o pid= --ppid "$p" 2>/dev/null | head -1 | tr -d ' ' || true)
    if [ -n "$l" ] && [ "$l" != "$old" ] && [ "$(cat "/proc/$l/comm" 2>/dev/null || true)" = systemd ]; then break; fi
    l=""
    sleep 0.1
  done
  if [ -n "$l" ]; then
    find_leader "$n" "$old"
  else
    wait "$p" 2>/dev/null || true
    boot "$n"
  fi
}

# login_through_nginx NAME USER PASSWORD: the login form on port 80 lets in.
login_through_nginx() {
  in_box "$1" bash -c '
    jar=$(mktemp)
    tok=$(curl -fs -c "$jar" -b "$jar" http://127.0.0.1/login | sed -n "s/.*name=\"csrf-token\" content=\"\([^\"]*\)\".*/\1/p")
    [ -n "$tok" ] || { echo "no csrf token on /login"; exit 1; }
    loc=$(curl -s -o /dev/null -w "%{redirect_url}" -c "$jar" -b "$jar" --data-urlencode "_csrf=$tok" \
      --data-urlencode "username=$1" --data-urlencode "password=$2" http://127.0.0.1/login)
    case $loc in */login*|"") echo "login refused (redirect to \"$loc\")"; exit 1 ;; esac
    code=$(curl -s -o /dev/null -w "%{http_code}" -b "$jar" http://127.0.0.1/)
    [ "$code" = 200 ] || { echo "home page after login: $code"; exit 1; }' _ "$2" "$3"
}

# beats_since NAME T: beats the receiver got after time T.
beats_since() { in_box "$1" awk -v t="$2" '$1 >= t' /var/log/beats 2>/dev/null | wc -l; }

# doctor_ok NAME USER: every FAIL is about hardware this root does not have.
doctor_ok() {
  local out
  out=$(in_box "$1" bash -c 'set -a; . /etc/default/intvlm8r; set +a; runuser -u "$0" -- intvlm8r-doctor' "$2" 2>&1 || true)
  printf '%s\n' "$out" >"$work/$1.doctor"
  grep -q '^PASS' <<<"$out" || { echo "$out"; return 1; }
  # No Arduino on I2C and no camera on USB in a container: only those may
  # fail, and a unit whose last run failed for the want of them (settime:
  # no Arduino clock) or of a network (the boot upload to the INI's FTP
  # server: the roots have none).
  local line unit bad=0
  while IFS= read -r line; do
    case $line in "FAIL  Arduino "* | "FAIL  Camera "*) continue ;; esac
    unit=$(awk '{ print $2 }' <<<"$line")
    if [[ $unit == *.service ]] && in_box "$1" journalctl -q -b -u "$unit" --no-pager 2>/dev/null |
      grep -qE "/dev/i2c-1|Arduino's time was not read|no camera|gphoto2|FTP connection failed"; then
      continue
    fi
    echo "$line"
    bad=1
  done < <(grep '^FAIL' <<<"$out")
  return "$bad"
}

# check_box NAME USER LOGIN PASSWORD WHAT: the checks after each scenario.
check_box() {
  local n=$1 u=$2 name=$3 pw=$4 w=$5 unit b
  for unit in intvlm8r-web.service intvlm8r-worker.service redis-server.service nginx.service heartbeat.timer \
    cameratransfer.timer pitransfer.timer settime.timer; do
    check "$w: $unit active" in_box "$n" systemctl is-active --quiet "$unit"
  done
  for unit in heartbeat-boot.service cameratransfer-boot.service pitransfer-boot.service settime.service; do
    check "$w: $unit enabled" in_box "$n" systemctl is-enabled --quiet "$unit"
  done
  check "$w: nginx serves the login page on port 80" in_box "$n" bash -c 'curl -fs http://127.0.0.1/login | grep -q "name=\"password\""'
  check "$w: login '$name' works through nginx" login_through_nginx "$n" "$name" "$pw"
  check "$w: doctor passes but for the absent hardware" doctor_ok "$n" "$u"
  for b in pi3 pi4 pi5 cm4 cm5; do
    check "$w: config.txt has I2C at 40 kHz for [$b]" test "$(awk -v board=$b -f "$fx/effective.awk" "$work/$n/boot/firmware/config.txt")" = \
      "i2c_arm=on baud=40000 shutdown=1 poweroff=1"
  done
  check "$w: no I2C line of ours inside a filter section" awk '/^\[/ { f = ($0 != "[all]") }
    /^dtparam=i2c_arm=on,i2c_arm_baudrate=40000/ && f { bad = 1 } END { exit bad }' "$work/$n/boot/firmware/config.txt"
}

# snapshot NAME: what install.sh may touch, for "a second run changes nothing".
snapshot() {
  (cd "$work/$1" && find etc/systemd/system etc/nginx etc/default etc/issue.d usr/local home boot var/spool/cron var/backups \
    -path 'home/*/.cache' -prune -o -printf '%p %m %U:%G %l\n' 2>/dev/null | grep -v -e '\.log ' -e 'hbresults' -e 'heartbeat\.log' | sort)
  (cd "$work/$1" && find etc/systemd/system etc/nginx etc/default etc/issue.d usr/local boot var/spool/cron var/backups \
    -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum)
}

unit_ready() { # NAME UNIT: seconds from ExecMainStart to active (READY=1)
  in_box "$1" systemctl show -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic "$2" |
    awk -F= '{ v[$1] = $2 } END { printf "%.3f", (v["ActiveEnterTimestampMonotonic"] - v["ExecMainStartTimestampMonotonic"]) / 1e6 }'
}

INI_MONITORING='[Monitoring]
heartbeatfrequency = 5
heartbeaturl = http://127.0.0.1:9999/beat'

# ---------------------------------------------------------------- (a)
scenario_fresh() {
  echo "== (a) fresh install (stock Raspberry Pi OS Bookworm config.txt)"
  new_root fresh
  boot fresh
  local t0 t1
  t0=$(now)
  printf 'first-pass-word\n' | in_box fresh /opt/intvlm8r/install.sh --login admin --password-file - >"$work/fresh1.log" 2>&1 ||
    { fail "(a) install.sh exits 0"; tail -30 "$work/fresh1.log"; return; }
  t1=$(now)
  FRESH_SECS=$(secs "$t0" "$t1")
  pass "(a) install.sh exits 0 in $FRESH_SECS s"
  # The receiver, as a user would set it on the Monitoring page.
  set_receiver fresh /home/intvlm8r
  in_box fresh chown intvlm8r:www-data /home/intvlm8r/www/intvlm8r.ini
  check_box fresh intvlm8r admin first-pass-word "(a)"
  check "(a) config.txt: the stock comment stays a comment" grep -qx '#dtparam=i2c_arm=on' "$work/fresh/boot/firmware/config.txt"
  check "(a) console IP banner" grep -q '\\4' "$work/fresh/etc/issue.d/intvlm8r.issue"
  check "(a) no work left pending" test ! -e "$work/fresh/usr/local/lib/intvlm8r/pending"
  check_fresh_files
  WEB_READY=$(unit_ready fresh intvlm8r-web.service)
  WORKER_READY=$(unit_ready fresh intvlm8r-worker.service)
}

# check_fresh_files: what a fresh install leaves on disk, beside what the
# running box shows (check_box): packages, the service user and its rights,
# folders, the environment, config.txt's overlays, nginx, polkit, logs.
check_fresh_files() {
  local r=$work/fresh g d
  check "(a) packages installed" in_box fresh dpkg-query -W redis-server nginx rsync i2c-tools iw logrotate
  for g in i2c plugdev video dialout netdev www-data; do
    check "(a) intvlm8r in group $g" bash -c "$(declare -f in_box); $(declare -p LEADER); in_box fresh id -nG intvlm8r | tr ' ' '\n' | grep -qx $g"
  done
  check "(a) intvlm8r not in sudo" bash -c "$(declare -f in_box); $(declare -p LEADER); ! in_box fresh id -nG intvlm8r | grep -qw sudo"
  check "(a) no sudoers entry" test ! -e "$r/etc/sudoers.d/intvlm8r"
  for d in www www/static photos thumbs preview; do
    check "(a) folder ~/$d owned by intvlm8r" test "$(in_box fresh stat -c %U "/home/intvlm8r/$d")" = intvlm8r
  done
  check "(a) env: home" grep -qx 'INTVLM8R_HOME=/home/intvlm8r' "$r/etc/default/intvlm8r"
  check "(a) env: socket" grep -qx 'INTVLM8R_LISTEN=/run/intvlm8r/web.sock' "$r/etc/default/intvlm8r"
  check "(a) env: arduino" grep -qx 'INTVLM8R_ARDUINO=i2c:/dev/i2c-1@0x04' "$r/etc/default/intvlm8r"
  check "(a) env: camera" grep -qx 'INTVLM8R_CAMERA=gphoto2' "$r/etc/default/intvlm8r"
  check "(a) config.txt: gpio-shutdown" grep -q '^dtoverlay=gpio-shutdown,gpio_pin=17' "$r/boot/firmware/config.txt"
  check "(a) config.txt: gpio-poweroff" grep -q '^dtoverlay=gpio-poweroff,gpiopin=27' "$r/boot/firmware/config.txt"
  check "(a) i2c-dev module" grep -qx 'i2c-dev' "$r/etc/modules"
  check "(a) nginx default site off" test ! -e "$r/etc/nginx/sites-enabled/default"
  check "(a) nginx proxies the socket" grep -q 'server unix:/run/intvlm8r/web.sock;' "$r/etc/nginx/sites-available/intvlm8r"
  check "(a) nginx -t" in_box fresh nginx -t
  check "(a) TLS example" test -f "$r/etc/nginx/intvlm8r.d/tls.conf.example"
  # The TLS example, switched on with a throwaway certificate, passes nginx -t.
  mkdir -p "$r/etc/nginx/ssl"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=intvlm8r -keyout "$r/etc/nginx/ssl/intvlm8r.key" \
    -out "$r/etc/nginx/ssl/intvlm8r.crt" >/dev/null 2>&1 || fail "(a) throwaway certificate"
  cp "$r/etc/nginx/intvlm8r.d/tls.conf.example" "$r/etc/nginx/intvlm8r.d/tls.conf"
  check "(a) nginx -t with TLS on" in_box fresh nginx -t
  rm -rf --one-file-system "$r/etc/nginx/intvlm8r.d/tls.conf" "$r/etc/nginx/ssl"
  check "(a) polkit rule for intvlm8r" grep -q 'subject.user !== "intvlm8r"' "$r/etc/polkit-1/rules.d/50-intvlm8r.rules"
  check "(a) polkit rule: set-time" grep -q 'org.freedesktop.timedate1.set-time' "$r/etc/polkit-1/rules.d/50-intvlm8r.rules"
  check "(a) logrotate paths" grep -q '/home/intvlm8r/www/static/piTransfer.log' "$r/etc/logrotate.d/intvlm8r"
  check "(a) logrotate accepts it" in_box fresh logrotate -d /etc/logrotate.d/intvlm8r
  check "(a) journald size" test -f "$r/etc/systemd/journald.conf.d/intvlm8r.conf"
  if [ -d "$r/etc/NetworkManager" ]; then
    check "(a) Wi-Fi power save off (NetworkManager)" grep -q 'wifi.powersave = 2' "$r/etc/NetworkManager/conf.d/intvlm8r-wifi-powersave.conf"
  else
    check "(a) no NetworkManager: no Wi-Fi snippet" test ! -e "$r/etc/NetworkManager"
  fi
  check "(a) web login stored hashed" grep -Eq '^admin:[$]2' "$r/home/intvlm8r/www/intvlm8r.users"
  check "(a) password not stored in clear" bash -c "! grep -rq first-pass-word '$r/home' '$r/usr/local/lib/intvlm8r' '$r/etc'"
  check "(a) systemd-analyze verify of the installed units" in_box fresh bash -c \
    'cd /etc/systemd/system && systemd-analyze verify --man=no intvlm8r-*.service heartbeat*.service heartbeat.timer cameratransfer*.service cameratransfer.timer pitransfer*.service pitransfer.timer settime.service settime.timer'
}

# ---------------------------------------------------------------- (b)
# make_original NAME: the root as the original's setup.sh leaves it, live.
make_original() {
  local n=$1 r=$work/$1 h=$work/$1/home/pi u
  in_box "$n" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >"$work/$n.apt.log" 2>&1 ||
    die "nginx did not install in $n: $(tail -3 "$work/$n.apt.log")"
  in_box "$n" useradd -m -s /bin/bash -G www-data pi
  mkdir -p "$h/www/static" "$h/photos/DCIM/100CANON" "$h/thumbs/DCIM/100CANON" "$h/preview" "$h/.ssh"
  cat >"$h/www/intvlm8r.py" <<'EOF'
from flask import Flask
app = Flask(__name__)
# Our mock database.
users = {'admin': {'password': 'sunset'}}
users.update({'Greig': {'password': "it's: a \"secret\" #1"}})
EOF
  cat >"$h/www/intvlm8r.ini" <<EOF
[Global]
file created = 01 Jan 2024
locationname = North Ridge
thumbscount = 24

[Transfer]
tfrmethod = FTP
ftpserver = ftp.example.com
ftpuser = ridge
ftppassword = p%%ss
ftpremotefolder = /upload
transferday = Daily
transferhour = 14

[Copy]
copyday = Daily
copyhour = 14

$INI_MONITORING
EOF
  head -c 200000 /dev/urandom >"$h/photos/DCIM/100CANON/IMG_0001.JPG"
  printf '/home/pi/photos/DCIM/100CANON/IMG_0001.JPG\n' >"$h/photos/uploadedOK.txt"
  printf '100CANON/IMG_0001.JPG IMG_0001.JPG\r\n' >"$h/photos/piPhotoRename.txt"
  printf 'IMG_0001.JPG = 2024/01/02 09:00:00|JPG &bull; 1/100s &bull; F8 &bull; ISO100\r\n' >"$h/thumbs/piThumbsInfo.txt"
  # Stand-ins for its programs: its web UI on its gunicorn socket, the rest idle.
  cat >"$h/www/standin.py" <<'EOF'
import http.server, os, socketserver, sys, time
if sys.argv[1:] != ["web"]:
    while True: time.sleep(3600)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'<form method="post"><input name="username"><input name="password" type="password"></form>'
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def address_string(self): return "unix"
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer): daemon_threads = True
try: os.unlink("intvlm8r.sock")
except FileNotFoundError: pass
os.umask(0o007)
S("intvlm8r.sock", H).serve_forever()
EOF
  printf '#!/bin/sh\necho "My IP address is $(hostname -I)"\n' >"$h/myIp.sh"
  chmod +x "$h/myIp.sh"
  in_box "$n" chown -R pi:www-data /home/pi
  # Its units, under its names, as its setup.sh installs and enables them.
  unit() { # name type exec [extra [Unit] lines]
    printf '[Unit]\nDescription=%s. (the original, test stand-in)\nAfter=network.target\n%s\n[Service]\nType=%s\nUser=pi\nGroup=www-data\nWorkingDirectory=/home/pi/www\nExecStart=%s\n[Install]\nWantedBy=multi-user.target\n' \
      "$1" "${4:-}" "$2" "$3" >"$r/etc/systemd/system/$1"
  }
  unit intvlm8r.service simple "/usr/bin/python3 /home/pi/www/standin.py web"
  unit celery.service simple "/usr/bin/python3 /home/pi/www/standin.py celery" $'Requires=intvlm8r.service\nAfter=intvlm8r.service'
  unit cameraTransfer.service oneshot /bin/true $'Requires=intvlm8r.service'
  unit piTransfer.service oneshot /bin/true $'Requires=intvlm8r.service'
  unit setTime.service oneshot /bin/true $'Requires=intvlm8r.service'
  unit heartbeat.service simple /bin/true $'Requires=intvlm8r.service'
  unit myIp.service oneshot /home/pi/myIp.sh
  printf '[Unit]\nDescription=heartbeat.timer. (the original, test stand-in)\n[Timer]\nOnCalendar=*:0/5\nPersistent=true\nUnit=heartbeat.service\n[Install]\nWantedBy=timers.target\n' \
    >"$r/etc/systemd/system/heartbeat.timer"
  printf 'CELERYD_NODES="celery_worker"\n' >"$r/etc/default/celery"
  # remote.it (legacy) and the original's override of it.
  printf '[Unit]\nDescription=remote.it connectd (test stand-in)\nAfter=network.target rc-local.service\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' \
    >"$r/usr/lib/systemd/system/connectd.service"
  sed -e 's/^After=network.target rc-local.service$/After=network.target rc-local.service celery.service\n#Celery requirement added by intvlm8r setup.sh 20240101/' \
    "$r/usr/lib/systemd/system/connectd.service" >"$r/etc/systemd/system/connectd.service"
  in_box "$n" systemctl daemon-reload
  for u in intvlm8r celery cameraTransfer piTransfer setTime heartbeat myIp connectd; do in_box "$n" systemctl enable -q "$u.service"; done
  in_box "$n" systemctl enable -q --now heartbeat.timer
  in_box "$n" systemctl start intvlm8r.service celery.service connectd.service
  # Its nginx site: port 80 and 8080, to the gunicorn socket.
  cat >"$r/etc/nginx/sites-available/intvlm8r" <<'EOF'
server {
    listen 80 default_server;
    location / { include proxy_params; proxy_pass http://unix:/home/pi/www/intvlm8r.sock; }
}
server {
    listen 8080 default_server;
    location /heartbeat { include proxy_params; proxy_pass http://unix:/home/pi/www/intvlm8r.sock; }
}
EOF
  ln -sf /etc/nginx/sites-available/intvlm8r "$r/etc/nginx/sites-enabled/intvlm8r"
  rm -f "$r/etc/nginx/sites-enabled/default"
  in_box "$n" systemctl reload nginx
  # Its crontab lines, and one of the user's own.
  printf '0 * * * * /usr/bin/python3 /home/pi/www/cameraTransfer.py 2>&1 | logger -t cameraTransfer\n0 * * * * /usr/bin/python3 /home/pi/www/piTransfer.py 2>&1 | logger -t piTransfer\n30 3 * * * /usr/bin/python3 /home/pi/www/setTime.py 2>&1 | logger -t setTime\n15 4 * * * /home/pi/mybackup.sh\n' >"$r/root/crontab"
  in_box "$n" crontab -u pi /root/crontab
  in_box "$n" setcap CAP_SYS_TIME+ep /usr/bin/date
  cp "$fx/after-original-setup.txt" "$r/boot/firmware/config.txt"
  sleep 1
}

# poll NAME: GET / on port 80 every 0.1 s, until told to stop.
poll_start() {
  in_box "$1" bash -c 'while [ ! -e /root/poll.stop ]; do
      printf "%s %s\n" "$(date +%s.%N)" "$(curl -s -o /dev/null -m 2 -w "%{http_code}" http://127.0.0.1/login)"
      sleep 0.1
    done' >"$work/$1.poll" 2>&1 &
  POLLER=$!
}
poll_stop() { touch "$work/$1/root/poll.stop"; wait "$POLLER" 2>/dev/null || true; }

scenario_upgrade() {
  echo "== (b) upgrade over the original"
  new_root upgrade
  boot upgrade
  make_original upgrade
  check "(b) before: the original's UI on port 80" in_box upgrade bash -c 'curl -fs http://127.0.0.1/login | grep -q password'
  check "(b) before: the original's nginx listens on 8080" in_box upgrade bash -c 'ss -Hltn "sport = :8080" | grep -q LISTEN'
  local data_before data_after t0 t1
  data_before=$(cd "$work/upgrade/home/pi" && find . -type f ! -name '*.sock' -print0 | sort -z | xargs -0 sha256sum)
  poll_start upgrade
  t0=$(now)
  in_box upgrade /opt/intvlm8r/install.sh >"$work/upgrade1.log" 2>&1 || { fail "(b) upgrade exits 0"; tail -40 "$work/upgrade1.log"; }
  t1=$(now)
  poll_stop upgrade
  UPGRADE_SECS=$(secs "$t0" "$t1")
  pass "(b) upgrade ran in $UPGRADE_SECS s"
  # The UI during the upgrade: every poll, and the longest stretch without it.
  UI_GAP=$(awk '$2 !~ /^(200|30.)$/ { if (!s) s = $1; e = $1; next } { if (s) { g = e - s + 0.1; if (g > m) m = g; s = 0 } } END { if (s) { g = e - s + 0.1; if (g > m) m = g } printf "%.1f", m }' "$work/upgrade.poll")
  POLLS=$(wc -l <"$work/upgrade.poll")
  pass "(b) web UI on port 80 during the upgrade: $POLLS polls, longest gap ${UI_GAP} s"
  check "(b) the UI answers at the end of the upgrade" test "$(tail -1 "$work/upgrade.poll" | cut -d' ' -f2)" = 200
  data_after=$(cd "$work/upgrade/home/pi" && while read -r _ f; do sha256sum "$f"; done <<<"$data_before")
  check "(b) every file of the original kept, unchanged" test "$data_before" = "$data_after"
  check "(b) no ftpactive key written (a missing key keeps meaning active mode)" bash -c "! grep -qi ftpactive '$work/upgrade/home/pi/www/intvlm8r.ini'"
  check_box upgrade pi admin sunset "(b)"
  check "(b) the other imported login works (quotes, colon, hash)" login_through_nginx upgrade greig "it's: a \"secret\" #1"
  check "(b) runs as pi, home /home/pi" grep -qx 'INTVLM8R_HOME=/home/pi' "$work/upgrade/etc/default/intvlm8r"
  local u
  for u in intvlm8r celery cameraTransfer piTransfer setTime myIp; do
    check "(b) the original's $u.service stopped, disabled, kept in the backup" old_unit_gone upgrade "$u.service"
  done
  check "(b) the original's heartbeat.service and .timer kept in the backup" \
    grep -q 'the original' "$work/upgrade/var/backups/intvlm8r-python/heartbeat.service" "$work/upgrade/var/backups/intvlm8r-python/heartbeat.timer"
  check "(b) the original's heartbeat.service enablement is gone (ours runs from the timer)" \
    test ! -e "$work/upgrade/etc/systemd/system/multi-user.target.wants/heartbeat.service"
  check "(b) the original's UI stand-in is gone" bash -c "$(declare -f in_box); $(declare -p LEADER); ! in_box upgrade pgrep -f 'standin.py web'"
  check "(b) nginx no longer on 8080 except intvlm8r-web" in_box upgrade bash -c 'ss -Hltnp "sport = :8080" | grep -q intvlm8r-web'
  check "(b) crontab: only the user's own line left" test "$(in_box upgrade crontab -u pi -l)" = '15 4 * * * /home/pi/mybackup.sh'
  check "(b) connectd waits for intvlm8r-worker, not celery" bash -c "grep -q '^After=.*intvlm8r-worker.service' '$work/upgrade/etc/systemd/system/connectd.service' &&
    ! grep -q '^After=.*celery' '$work/upgrade/etc/systemd/system/connectd.service'"
  check "(b) myIp replacement said" grep -q 'myIp.service.*replaced' "$work/upgrade1.log"
  check "(b) CAP_SYS_TIME taken off date" test -z "$(in_box upgrade getcap /usr/bin/date)"
  check "(b) no work left pending" test ! -e "$work/upgrade/usr/local/lib/intvlm8r/pending"
}

old_unit_gone() { # NAME UNIT
  test -f "$work/$1/var/backups/intvlm8r-python/$2" && test ! -e "$work/$1/etc/systemd/system/$2" &&
    ! in_box "$1" systemctl is-active --quiet "$2"
}

# set_receiver NAME HOME: [Monitoring] beats every 5 minutes to the receiver,
# as a user sets it on the Monitoring page.
set_receiver() {
  in_box "$1" python3 - "$2/www/intvlm8r.ini" <<'EOF'
import configparser, sys
c = configparser.ConfigParser(interpolation=None)
c.read(sys.argv[1])
if not c.has_section("Monitoring"): c.add_section("Monitoring")
c["Monitoring"]["heartbeatfrequency"] = "5"
c["Monitoring"]["heartbeaturl"] = "http://127.0.0.1:9999/beat"
with open(sys.argv[1], "w") as f: c.write(f)
EOF
}

# ---------------------------------------------------------------- (c)
scenario_rerun() {
  local n=$1 w=$2 before after t0 t1 args=()
  [ "$n" = fresh ] && args=(--login admin --password-file /root/pw) && printf 'first-pass-word\n' >"$work/$n/root/pw"
  echo "== (c) a second run on the $w root changes nothing"
  before=$(snapshot "$n")
  t0=$(now)
  in_box "$n" /opt/intvlm8r/install.sh "${args[@]}" >"$work/$n.rerun.log" 2>&1 || fail "(c) $w: second run exits 0"
  t1=$(now)
  RERUN_SECS=$(secs "$t0" "$t1")
  after=$(snapshot "$n")
  check "(c) $w: no file changed" test "$before" = "$after"
  [ "$before" = "$after" ] || diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -20
  check "(c) $w: it says so ($RERUN_SECS s)" grep -q 'Nothing to change' "$work/$n.rerun.log"
}

# An upgrade that stopped half-way (here: after the units were installed,
# before anything was started) is finished by the next run, and the
# original's copies in the backup stay the original's.
scenario_resume() {
  echo "== (b') an upgrade stopped half-way is finished by the next run"
  new_root resume
  boot resume
  make_original resume
  # Stop the first run where start_units would begin.
  sed 's/^start_units$/echo "stopped here (test)"; exit 1/' "$work/resume/opt/intvlm8r/install.sh" >"$work/resume/opt/intvlm8r/install-stop.sh"
  chmod +x "$work/resume/opt/intvlm8r/install-stop.sh"
  in_box resume /opt/intvlm8r/install-stop.sh >"$work/resume1.log" 2>&1 || true
  check "(b') stopped run: the original's UI still answers" in_box resume bash -c 'curl -fs http://127.0.0.1/login | grep -q password'
  in_box resume /opt/intvlm8r/install.sh >"$work/resume2.log" 2>&1 || { fail "(b') the next run exits 0"; tail -30 "$work/resume2.log"; }
  check "(b') the original's heartbeat units in the backup, not ours" \
    grep -q 'the original' "$work/resume/var/backups/intvlm8r-python/heartbeat.service" "$work/resume/var/backups/intvlm8r-python/heartbeat.timer"
  check "(b') logins imported" login_through_nginx resume admin sunset
  check "(b') intvlm8r-web active" in_box resume systemctl is-active --quiet intvlm8r-web.service
  check "(b') no work left pending" test ! -e "$work/resume/usr/local/lib/intvlm8r/pending"
  in_box resume systemctl poweroff >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- main
[ "${1:-}" = --prepare ] && { prepare_base; exit 0; }
for b in web worker heartbeat doctor; do
  [ -x "$bin/intvlm8r-$b" ] || die "$bin/intvlm8r-$b missing: run make build"
done
command -v systemd-nspawn >/dev/null || die "apt-get install systemd-container"
prepare_base
started=$SECONDS

scenario_fresh
scenario_upgrade
# A beat from the heartbeat timer: it fires at every fifth minute, when a
# 5-minute frequency is due. Both roots must get one at the next fifth
# minute; (c) and (b') run meanwhile ((c) changes nothing).
boundary=$(( ($(date +%s) / 300 + 1) * 300 ))
scenario_rerun upgrade upgraded
scenario_rerun fresh fresh
scenario_resume
echo "== the heartbeat timer: waiting $((boundary - $(date +%s))) s more for the fifth minute"
for _ in $(seq 400); do
  [ "$(beats_since fresh "$boundary")" -gt 0 ] && [ "$(beats_since upgrade "$boundary")" -gt 0 ] && break
  [ "$(date +%s)" -gt $((boundary + 60)) ] && break
  sleep 1
done
check "(a)(c) fresh: a beat from heartbeat.timer reached the receiver" test "$(beats_since fresh "$boundary")" -gt 0
check "(b)(c) upgraded: a beat from heartbeat.timer reached the receiver" test "$(beats_since upgrade "$boundary")" -gt 0

echo "== (d) reboot"
for n in upgrade fresh; do
  reboot_box "$n"
  t=$LEADER_AT # systemd started
  for _ in $(seq 600); do [ "$(beats_since "$n" "$t")" -gt 0 ] && break; sleep 0.1; done
  first=$(in_box "$n" awk -v t="$t" '$1 >= t { print $1; exit }' /var/log/beats 2>/dev/null || true)
  if [ -n "$first" ]; then pass "(d) $n: the boot beat reached the receiver $(secs "$t" "$first") s after boot began"; else fail "(d) $n: no boot beat"; fi
  [ "$n" = upgrade ] && BOOT_BEAT=$( [ -n "$first" ] && secs "$t" "$first" || echo "?")
  case $n in
  upgrade) check_box upgrade pi admin sunset "(d) upgraded" ;;
  fresh) check_box fresh intvlm8r admin first-pass-word "(d) fresh" ;;
  esac
  check "(d) $n: heartbeat.timer has a next elapse" bash -c "nsenter -t ${LEADER[$n]} -m -p systemctl list-timers heartbeat.timer --no-legend | grep -q heartbeat"
  [ "$n" = upgrade ] && { BOOT_WEB_READY=$(unit_ready upgrade intvlm8r-web.service); BOOT_WORKER_READY=$(unit_ready upgrade intvlm8r-worker.service); }
done

echo "== a new password (fresh root), set by a re-run with --login"
printf 'second-pass-word\n' | in_box fresh /opt/intvlm8r/install.sh --login admin --password-file - >"$work/fresh-pw.log" 2>&1 ||
  fail "password re-run exits 0"
check "new password logs in through nginx" login_through_nginx fresh admin second-pass-word
if login_through_nginx fresh admin first-pass-word >/dev/null 2>&1; then fail "old password refused"; else pass "old password refused"; fi

echo "== --uninstall (fresh root): the software goes, the photos and logins stay"
mkdir -p "$work/fresh/home/intvlm8r/photos/DCIM/100CANON"
printf 'photo' >"$work/fresh/home/intvlm8r/photos/DCIM/100CANON/IMG_0001.JPG"
in_box fresh /opt/intvlm8r/install.sh --uninstall >"$work/uninstall.log" 2>&1 || fail "--uninstall exits 0"
check "uninstall: intvlm8r-web stopped" bash -c "$(declare -f in_box); $(declare -p LEADER); ! in_box fresh systemctl is-active --quiet intvlm8r-web.service"
check "uninstall: binaries and units removed" bash -c "! ls '$work/fresh'/usr/local/bin/intvlm8r-* 2>/dev/null && test ! -e '$work/fresh/etc/systemd/system/intvlm8r-web.service'"
check "uninstall: nginx site removed" test ! -e "$work/fresh/etc/nginx/sites-enabled/intvlm8r"
check "uninstall: photos kept" test -f "$work/fresh/home/intvlm8r/photos/DCIM/100CANON/IMG_0001.JPG"
check "uninstall: logins kept" test -s "$work/fresh/home/intvlm8r/www/intvlm8r.users"

echo
echo "figures (systemd-nspawn, packages from the root's cache):"
echo "  install: fresh ${FRESH_SECS:-?} s, upgrade ${UPGRADE_SECS:-?} s, re-run ${RERUN_SECS:-?} s"
echo "  web UI during the upgrade: longest gap ${UI_GAP:-?} s"
echo "  unit start to READY: web ${WEB_READY:-?} s, worker ${WORKER_READY:-?} s (after install); web ${BOOT_WEB_READY:-?} s, worker ${BOOT_WORKER_READY:-?} s (at boot)"
echo "  boot to first beat: ${BOOT_BEAT:-?} s"
echo "  test time: $((SECONDS - started)) s"
if [ "$failures" -gt 0 ]; then
  echo "test-install: $failures check(s) FAILED (KEEP=1 keeps the roots and logs)"
  exit 1
fi
echo "test-install: all checks passed"
