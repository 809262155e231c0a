#!/usr/bin/env python3
"""Opens COUNT idle connections to 127.0.0.1:PORT in batches of 50 (so the server gets to accept them: a burst
overflows the listen backlog, and with SYN cookies the kernel drops handshakes the client believes complete),
prints "held" once they are all open, holds them for SECONDS, then closes them and exits.

Run as its own process so the interop test process never holds more than a few descriptors: Foundation's
Process.run() crashes when other threads start a child while the process has descriptors above 1024.

    python3 hold_connections.py PORT COUNT SECONDS
"""
import resource
import socket
import sys
import time

port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 256), hard))
held = []
for index in range(count):
    connection = socket.socket()
    connection.setblocking(False)
    try:
        connection.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    held.append(connection)
    if index % 50 == 49:
        time.sleep(0.05)
print("held", flush=True)
time.sleep(seconds)
for connection in held:
    connection.close()
