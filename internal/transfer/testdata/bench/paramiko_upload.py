#!/usr/bin/python3
"""Benchmark peer: upload files the way piTransfer.py did over SFTP
(paramiko SSHClient, chdir/mkdir per folder, sftp.put per file)."""
import os
import sys

import paramiko

host, port, user, keyfile, remote, src = sys.argv[1:7]
ssh = paramiko.SSHClient()
ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
ssh.connect(hostname=host, port=int(port), username=user, key_filename=keyfile,
            allow_agent=False, look_for_keys=False)
sftp = ssh.open_sftp()
prev = None
for root, dirs, files in os.walk(src):
    for name in sorted(files):
        local = os.path.join(root, name)
        rel = os.path.relpath(local, os.path.dirname(src))
        folder = os.path.dirname(os.path.join(remote, rel))
        if folder != prev:
            path = "/"
            for part in folder.strip("/").split("/"):
                path += part + "/"
                try:
                    sftp.chdir(path)
                except IOError:
                    sftp.mkdir(part)
                    sftp.chdir(path)
            prev = folder
        sftp.put(local, name)
sftp.close()
ssh.close()
