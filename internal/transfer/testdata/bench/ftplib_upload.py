#!/usr/bin/python3
"""Benchmark peer: upload files the way piTransfer.py did over FTP
(ftplib, active mode, CWD/MKD per folder, storbinary with 1024-byte blocks)."""
import os
import sys
from ftplib import FTP

host, port, user, password, remote, src = sys.argv[1:7]
ftp = FTP()
ftp.connect(host, int(port))
ftp.login(user, password)
ftp.set_pasv(False)
prev = None
for root, dirs, files in os.walk(src):
    for name in sorted(files):
        local = os.path.join(root, name)
        rel = os.path.relpath(local, os.path.dirname(src))  # DCIM/...
        folder = os.path.dirname(os.path.join(remote, rel))
        if folder != prev:
            path = "/"
            for part in folder.strip("/").split("/"):
                path += part + "/"
                try:
                    ftp.cwd(path)
                except Exception:
                    ftp.mkd(part)
                    ftp.cwd(path)
            prev = folder
        with open(local, "rb") as fp:
            ftp.storbinary("STOR " + name, fp, 1024)
ftp.quit()
