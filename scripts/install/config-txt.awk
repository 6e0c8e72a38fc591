# config-txt.awk: the Raspberry Pi's config.txt with what the Intervalometerator
# needs switched on for every board, printed to standard output:
#   I2C on at 40 kHz (the original's bus speed; the Arduino's clock stretching
#   needs it), the Arduino's shutdown request on GPIO17 and the "Pi has halted"
#   signal on GPIO27.
#
#   awk -f config-txt.awk /boot/firmware/config.txt > new
#
# Only active lines that apply to every board count: lines before the first
# [filter] section and lines under [all]. A commented line (#dtparam=i2c_arm=on,
# as stock Raspberry Pi OS ships) or a line under [pi4], [cm4], [cm5]... does
# not. What is missing is appended under [all]: after the file's last line when
# that is already in an [all] context, else after a new [all] header.
# Everything else is kept byte for byte.

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }

# params(line): the comma-separated parameters of a "dtparam=" line, into P.
function params(line,    n, i, kv, parts) {
  delete P
  line = substr(line, index(line, "=") + 1)
  n = split(line, parts, ",")
  for (i = 1; i <= n; i++) {
    kv = trim(parts[i])
    if (index(kv, "=") > 0) P[substr(kv, 1, index(kv, "=") - 1)] = substr(kv, index(kv, "=") + 1)
    else P[kv] = "on"
  }
}

BEGIN { all = 1; i2c_on = 0; baud_line = 0; plain_on = 0; shutdown = 0; poweroff = 0; n = 0 }

{
  line[++n] = $0
  t = trim($0)
  if (t ~ /^\[.*\]$/) { all = (tolower(t) == "[all]"); next }
  if (!all || t == "" || t ~ /^#/) next
  if (t ~ /^dtparam=/) {
    params(t)
    if (("i2c_arm" in P) && P["i2c_arm"] == "on") { i2c_on = 1; if (t == "dtparam=i2c_arm=on") plain_on = n }
    if (("i2c_arm" in P) && P["i2c_arm"] == "off") { i2c_on = 0; plain_on = 0 }
    if ("i2c_arm_baudrate" in P) baud_line = n
  }
  if (t ~ /^dtoverlay=gpio-shutdown(,|$)/) shutdown = 1
  if (t ~ /^dtoverlay=gpio-poweroff(,|$)/) poweroff = 1
}

END {
  # The bus speed: an existing setting for every board is set to 40 kHz; a
  # plain "dtparam=i2c_arm=on" takes it; otherwise it is added below.
  if (baud_line) {
    s = line[baud_line]
    if (s !~ /i2c_arm_baudrate=40000([ \t\r,]|$)/) sub(/i2c_arm_baudrate=[0-9]*/, "i2c_arm_baudrate=40000", s)
    line[baud_line] = s
  } else if (plain_on) {
    sub(/dtparam=i2c_arm=on/, "dtparam=i2c_arm=on,i2c_arm_baudrate=40000", line[plain_on])
    baud_line = plain_on
  }
  k = 0
  if (!i2c_on && !baud_line) add[++k] = "dtparam=i2c_arm=on,i2c_arm_baudrate=40000"
  else if (!i2c_on) add[++k] = "dtparam=i2c_arm=on"
  else if (!baud_line) add[++k] = "dtparam=i2c_arm_baudrate=40000"
  if (!shutdown) add[++k] = "dtoverlay=gpio-shutdown,gpio_pin=17,active_low=1,gpio_pull=up"
  if (!poweroff) add[++k] = "dtoverlay=gpio-poweroff,gpiopin=27,active_low"
  for (i = 1; i <= n; i++) print line[i]
  if (k == 0) exit
  # "all" still holds the context of the file's last line.
  if (n > 0 && trim(line[n]) != "") print ""
  if (!all) print "[all]"
  print "# intvlm8r-go: the Arduino on I2C at 40 kHz, its shutdown request (GPIO17) and power-off signal (GPIO27)"
  for (i = 1; i <= k; i++) print add[i]
}
