#!/usr/bin/env python3
"""Test oracle: Python's own configparser, as the original app uses it.

The Go tests run this once per test process and talk to it over stdin and
stdout, one JSON object per line each way. Byte strings travel as base64.

Requests:
  {"op": "dump", "data": <b64>}
      Read data with configparser.ConfigParser() (default options, as the
      original). Reply with every section and key (raw value, value after
      interpolation or the interpolation error, getboolean result), each
      section's items(), and what config.write() writes back; or the error
      that reading raised, with its line numbers.
  {"op": "write", "sections": [[name, [[key, value], ...]], ...], "escape": bool}
      Build a ConfigParser with add_section/set (values with "%" doubled when
      escape is true) and reply with what config.write() writes.
  {"op": "create", "hostname": str, "date": "YYYY-MM-DD"}
      Build the file the original creates on first need, dated date.
"""
import base64
import configparser
import io
import json
import sys
import time


def read(data):
    cp = configparser.ConfigParser()
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    cp.read_file(text, source="fixture")
    return cp


def written(cp):
    out = io.StringIO()
    cp.write(out)
    return base64.b64encode(out.getvalue().encode("utf-8")).decode("ascii")


def error_reply(e):
    lines = []
    if isinstance(e, configparser.ParsingError) and not isinstance(
        e, configparser.MissingSectionHeaderError
    ):
        lines = [n for n, _ in e.errors]
    elif getattr(e, "lineno", None) is not None:
        lines = [e.lineno]
    return {"error": {"type": type(e).__name__, "lines": lines, "message": str(e)}}


def key_reply(cp, section, key, raw):
    k = {"key": key, "raw": raw, "value": None, "interp_error": None, "bool": None}
    try:
        k["value"] = cp.get(section, key)
    except configparser.InterpolationError as e:
        k["interp_error"] = type(e).__name__
        return k
    try:
        k["bool"] = cp.getboolean(section, key)
    except ValueError:
        pass
    return k


def dump(data):
    try:
        cp = read(data)
    except (configparser.Error, UnicodeDecodeError) as e:
        return error_reply(e)
    reply = {"defaults": [[k, v] for k, v in cp._defaults.items()], "sections": []}
    for name in cp.sections():
        sec = {"name": name, "keys": [], "items": None}
        for key, raw in cp._sections[name].items():
            sec["keys"].append(key_reply(cp, name, key, raw))
        try:
            sec["items"] = [[k, v] for k, v in cp.items(name)]
        except configparser.InterpolationError:
            pass
        reply["sections"].append(sec)
    reply["default_keys"] = [key_reply(cp, "DEFAULT", k, v) for k, v in cp._defaults.items()]
    reply["rewrite"] = written(cp)
    return reply


def write(sections, escape):
    cp = configparser.ConfigParser()
    try:
        for name, keys in sections:
            if name != "DEFAULT" and not cp.has_section(name):
                cp.add_section(name)
            for key, value in keys:
                cp.set(name, key, value.replace("%", "%%") if escape else value)
    except (configparser.Error, ValueError) as e:
        return {"error": {"type": type(e).__name__, "lines": [], "message": str(e)}}
    return {"data": written(cp)}


def create(hostname, date):
    # The original's first-creation sequence, with the clock fixed.
    stamp = time.strptime(date, "%Y-%m-%d")
    cp = configparser.ConfigParser()
    cp.add_section("Global")
    cp.set("Global", "file created", time.strftime("%0d %b %Y", stamp))
    cp.set("Global", "locationName", hostname)
    cp.set("Global", "thumbscount", "24")
    cp.add_section("Transfer")
    cp.set("Transfer", "tfrMethod", "Off")
    cp.set("Transfer", "deleteAfterTransfer", "Off")
    cp.add_section("Copy")
    cp.set("Copy", "copyDay", "Daily")
    cp.set("Copy", "copyHour", "14")
    cp.set("Copy", "deleteAfterCopy", "Off")
    return {"data": written(cp)}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "dump":
            reply = dump(base64.b64decode(req["data"]))
        elif op == "write":
            reply = write(req["sections"], req.get("escape", True))
        elif op == "create":
            reply = create(req["hostname"], req["date"])
        else:
            reply = {"error": {"type": "BadRequest", "lines": [], "message": op}}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
