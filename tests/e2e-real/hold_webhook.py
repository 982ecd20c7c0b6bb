#!/usr/bin/env python3
"""A validating admission webhook that holds one user's writes until the test releases them.

    hold_webhook.py USER CERT KEY DIR

Serves HTTPS on 127.0.0.1 (the port goes to DIR/port). Every AdmissionReview of USER that is not a
dry run is logged to DIR/held as "NAMESPACE/NAME" and, while DIR/release does not exist, answered
only once it does. A dry run of USER is logged to DIR/probe and allowed at once (the test's way to
know the API server calls the webhook); anyone else's is allowed at once.

Why: the real API server has no fault injection, so to put another writer between kubectl-dr's
read and its write, the write is held here, after the API server received it and before it is
stored. The API server bounds the hold (the webhook's timeoutSeconds).
"""
import http.server
import json
import os
import ssl
import sys
import threading
import time

user, cert, key, state = sys.argv[1:5]
log_lock = threading.Lock()


def log(name, line):
    with log_lock, open(os.path.join(state, name), "a", encoding="utf-8") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        request = review["request"]
        if request["userInfo"]["username"] == user:
            target = f'{request.get("namespace", "")}/{request["name"]}'
            if request.get("dryRun"):
                log("probe", target)
            else:
                log("held", target)
                while not os.path.exists(os.path.join(state, "release")):
                    time.sleep(0.02)
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": {"uid": request["uid"], "allowed": True}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(os.path.join(state, "port.tmp"), "w", encoding="utf-8") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(state, "port.tmp"), os.path.join(state, "port"))
server.serve_forever()
