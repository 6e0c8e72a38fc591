#!/usr/bin/python3
"""Copies every file off a camera with python-gphoto2, the way the Python
original's copy task does (gp_camera_file_get, then gp_file_save, then the
file's time from the camera), for the side-by-side copy benchmark.

Usage: bench_gphoto2.py CAMERA_FOLDER OUT_FOLDER   (Directory Browse driver)
Prints the bytes copied and the seconds taken.
"""
import os
import sys
import time

import gphoto2 as gp


def open_camera(folder):
    cam = gp.Camera()
    ports = gp.PortInfoList()
    ports.load()
    cam.set_port_info(ports[ports.lookup_path("disk:" + folder)])
    models = gp.CameraAbilitiesList()
    models.load()
    cam.set_abilities(models[models.lookup_model("Directory Browse")])
    cam.init()
    return cam


def walk(cam, folder):
    for name, _ in cam.folder_list_files(folder):
        yield folder, name
    for sub, _ in cam.folder_list_folders(folder):
        yield from walk(cam, os.path.join(folder, sub))


def main():
    src, out = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    cam = open_camera(src)
    total = 0
    for folder, name in walk(cam, "/"):
        info = cam.file_get_info(folder, name)
        dest_dir = os.path.join(out, folder.lstrip("/"))
        os.makedirs(dest_dir, exist_ok=True)
        dest = os.path.join(dest_dir, name)
        cam.file_get(folder, name, gp.GP_FILE_TYPE_NORMAL).save(dest)
        os.utime(dest, (info.file.mtime, info.file.mtime))
        total += os.path.getsize(dest)
    cam.exit()
    print(total, time.monotonic() - start)


if __name__ == "__main__":
    main()
