#!/bin/sh
# A lying rsync remote for the transfer tests: an ssh forced command
# (command="lying-rsync.sh MODE ROOT" in authorized_keys) that runs the real
# rsync server, lets it answer success, then damages every file it received
# below ROOT and puts the file's mtime back, so rsync's quick check sees
# nothing. MODE half keeps the first half of each file; MODE other keeps its
# length and overwrites its first 16 bytes.
mode=$1
root=$2
stamp=$(mktemp)
sh -c "$SSH_ORIGINAL_COMMAND"
rc=$?
find "$root" -type f -cnewer "$stamp" | while IFS= read -r f; do
	size=$(stat -c %s "$f")
	mtime=$(stat -c %Y "$f")
	case $mode in
	half) truncate -s $((size / 2)) "$f" ;;
	other) printf 'LYING-SERVER-XX!' | dd of="$f" bs=16 count=1 conv=notrunc 2>/dev/null ;;
	esac
	touch -m -d "@$mtime" "$f"
done
rm -f "$stamp"
exit $rc
