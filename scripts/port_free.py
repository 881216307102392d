"""``port_free.py HOST PORT`` exits 0 if nothing listens on HOST:PORT; ``port_free.py HOST`` prints a free port."""

import socket
import sys


def main() -> int:
    host = sys.argv[1]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if len(sys.argv) > 2:
            return 0 if sock.connect_ex((host, int(sys.argv[2]))) != 0 else 1
        sock.bind((host, 0))
        print(sock.getsockname()[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
