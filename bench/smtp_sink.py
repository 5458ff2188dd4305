"""A local SMTP sink for the campaign benchmark: accepts every message and appends one line
per message to a file — the time it arrived and its Message-ID — so the benchmark can count
what arrived, how fast, and whether anything arrived twice.

    python -m bench.smtp_sink PORT FILE
"""

import asyncio
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd reads commands one after another, so pipelined ones are served in order
        # (RFC 2920); saying so lets the sender save two round trips per message.
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        message_id = ""
        for line in envelope.content.split(b"\r\n"):
            if not line:
                break  # end of the headers
            if line[:11].lower() == b"message-id:":
                message_id = line[11:].strip().decode("ascii", "replace")
                break
        self.out.write(f"{time.time():.6f} {message_id}\n")
        return "250 OK"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", buffering=1) as out:  # line-buffered: a killed sink loses nothing
        controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
        controller.start()
        print("ready", flush=True)
        stop = asyncio.Event()
        loop = asyncio.new_event_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.run_until_complete(stop.wait())
        controller.stop()


if __name__ == "__main__":
    main()
