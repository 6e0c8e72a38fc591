#!/usr/bin/env bash
# make run: a private Redis, the web server and the worker, with the simulated
# Arduino and camera, in a development home under .dev/. Ctrl-C stops it all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
dev="${INTVLM8R_DEV:-$root/.dev}"
home="$dev/home"
port_ui="${INTVLM8R_DEV_PORT:-8000}"
port_local="${INTVLM8R_DEV_LOCAL_PORT:-8080}"
port_redis="${INTVLM8R_DEV_REDIS_PORT:-6399}"

if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  echo "redis-server is missing; installing it with apt"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "make run needs redis-server: run  apt-get install redis-server  as root" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends redis-server; }
fi
PATH=$PATH:/usr/sbin:/usr/bin

mkdir -p "$home" "$dev/redis"
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping…"
  # Web and worker first (the worker unregisters in Redis), Redis last.
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

redis-server --port "$port_redis" --bind 127.0.0.1 --dir "$dev/redis" --save "" --appendonly no \
  --logfile "$dev/redis/redis.log" &
pids+=($!)
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port_redis") 2>/dev/null && break
  sleep 0.1
done

# A development login, made once and shown every run.
creds="$dev/login.txt"
if [ ! -s "$creds" ] || ! [ -s "$home/www/intvlm8r.users" ]; then
  pw=$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12)
  printf '%s\n' "$pw" | "$bin/intvlm8r-web" passwd --home "$home" admin >/dev/null
  printf 'admin %s\n' "$pw" >"$creds"
fi
read -r user pass <"$creds"

# Something for the simulated camera to hold, the first time.
(cd "$root" && go run ./scripts/devseed --home "$home")

export INTVLM8R_HOME="$home" INTVLM8R_REDIS="127.0.0.1:$port_redis" INTVLM8R_ARDUINO=sim INTVLM8R_CAMERA=sim
"$bin/intvlm8r-worker" &
pids+=($!)
"$bin/intvlm8r-web" --listen "127.0.0.1:$port_ui" --local-listen "127.0.0.1:$port_local" &
pids+=($!)

# The simulated Arduino's clock starts as a fresh board's: set it from this machine.
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port_local") 2>/dev/null && break
  sleep 0.1
done
"$bin/intvlm8r-settime" --ntp yes --url "http://127.0.0.1:$port_local" >/dev/null 2>&1 ||
  echo "(could not set the simulated Arduino's clock: see $home/setTime.log)"

cat <<MSG

  intvlm8r-go is running with the simulated Arduino and camera.
  Open      http://127.0.0.1:$port_ui/
  Log in as $user / $pass
  Home      $home
  Redis     127.0.0.1:$port_redis   asynqmon: http://127.0.0.1:$port_ui/asynqmon/
  Heartbeat by hand: $bin/intvlm8r-heartbeat --boot --url http://127.0.0.1:$port_local
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}" || true
