# effective.awk -v board=BOARD FILE: what the firmware of BOARD (pi4, cm4,
# cm5, ...) makes of a config.txt, for the tests: "i2c_arm=on|off
# baud=N|default shutdown=0|1 poweroff=0|1". A line counts before the first
# [filter], under [all], and under [BOARD].
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
BEGIN { on = "off"; baud = "default"; sd = 0; po = 0; apply = 1 }
{
  t = trim($0)
  if (t ~ /^\[.*\]$/) { s = tolower(t); apply = (s == "[all]" || s == "[" board "]"); next }
  if (!apply || t ~ /^#/ || t == "") next
  if (t ~ /^dtparam=/) {
    n = split(substr(t, 9), p, ",")
    for (i = 1; i <= n; i++) {
      if (p[i] == "i2c_arm=on" || p[i] == "i2c_arm") on = "on"
      if (p[i] == "i2c_arm=off") on = "off"
      if (p[i] ~ /^i2c_arm_baudrate=/) baud = substr(p[i], 18)
    }
  }
  if (t ~ /^dtoverlay=gpio-shutdown,gpio_pin=17(,|$)/) sd = 1
  if (t ~ /^dtoverlay=gpio-poweroff,gpiopin=27(,|$)/) po = 1
}
END { printf "i2c_arm=%s baud=%s shutdown=%d poweroff=%d\n", on, baud, sd, po }
