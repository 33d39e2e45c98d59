"""A real HTTP server standing in for the SMS gateway (only the gateway itself is outside)."""

import json
import threading
import time
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class ReceivedRequest:
    path: str
    headers: Message
    json: dict


class SmsGateway:
    """Listens on 127.0.0.1 (a free port), records each POST and answers ``status``."""

    token = "gateway-token-123"

    def __init__(self):
        self.requests: list[ReceivedRequest] = []
        self.status = 200
        self.delay = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1/messages"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                gateway.requests.append(ReceivedRequest(self.path, self.headers, json.loads(body)))
                time.sleep(gateway.delay)
                answer = json.dumps(
                    {"id": "msg-1"} if gateway.status < 300 else {"error": "invalid number"}
                ).encode()
                self.send_response(gateway.status)
                if 300 <= gateway.status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):
                pass

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def sms_gateway(settings, monkeypatch):
    """The HTTP SMS backend pointed at a local gateway for this test."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a CI proxy must not intercept it
    gateway = SmsGateway()
    gateway.start()
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = gateway.token
    settings.SMS_HTTP_TIMEOUT = 5
    yield gateway
    gateway.stop()
