#!/usr/bin/python3
"""A throwaway FTP server for the transfer tests (pyftpdlib, loopback only).

Besides the plain server it can: serve explicit FTPS (--cert), make a
folder read-only (--readonly DIR), and once cut a connection in the middle of
receiving a file whose name is given by --drop-once (the fact that it did is
recorded in --state, so a restarted test run does not drop again).

It can also lie: --lie half answers every upload with 226 but keeps only
the first half of the file, and --without CMD (repeatable) removes a command
(SIZE, MLST, LIST, ...) as servers that never implemented it do.
"""
import argparse
import logging
import os

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import DTPHandler, FTPHandler
from pyftpdlib.servers import FTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--user", required=True)
ap.add_argument("--password", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--perm", default="elradfmwMT")
ap.add_argument("--readonly", action="append", default=[])
ap.add_argument("--cert")
ap.add_argument("--drop-once")
ap.add_argument("--state")
ap.add_argument("--lie", choices=["half"])
ap.add_argument("--without", action="append", default=[])
args = ap.parse_args()
logging.basicConfig(level=logging.ERROR)

auth = DummyAuthorizer()
auth.add_user(args.user, args.password, args.dir, perm=args.perm)
for d in args.readonly:
    os.makedirs(d, exist_ok=True)
    auth.override_perm(args.user, d, "elr", recursive=True)

base_ftp, base_dtp = FTPHandler, DTPHandler
if args.cert:
    from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler
    base_ftp, base_dtp = TLS_FTPHandler, TLS_DTPHandler


class DroppingDTP(base_dtp):
    def handle_read(self):
        super().handle_read()
        name = getattr(self.file_obj, "name", "") or ""
        if (args.drop_once and os.path.basename(name) == args.drop_once
                and self.tot_bytes_received > 32 * 1024
                and not os.path.exists(args.state)):
            with open(args.state, "w") as f:
                f.write("dropped\n")
            self.cmd_channel.close()
            self.close()

    handle_read_event = handle_read  # the base class aliases its own handle_read


class Handler(base_ftp):
    dtp_handler = DroppingDTP
    proto_cmds = {k: v for k, v in base_ftp.proto_cmds.items()
                  if k not in {c.upper() for c in args.without}}

    def on_file_received(self, file):
        # Runs before the next command is read, so the client's SIZE (or
        # listing) after the 226 already sees what is kept.
        if args.lie == "half":
            with open(file, "r+b") as f:
                f.truncate(os.path.getsize(file) // 2)


Handler.authorizer = auth
Handler.banner = "intvlm8r test ftp ready"
if args.cert:
    Handler.certfile = args.cert
    Handler.tls_control_required = True
    Handler.tls_data_required = True

server = FTPServer(("127.0.0.1", args.port), Handler)
server.max_cons = 64
print("ready", flush=True)
server.serve_forever()
