#!/usr/bin/python3
"""test_sdk_tls.py - the SDK browser test (test_sdk_meeting.py) against a
server with TLS (RTK_TLS_CERT, RTK_TLS_KEY; docs/deploy.md "TLS").

Owns what a browser user of a TLS server sees: the pages come over
https:// from the REST/HLS port, RealtimeKitClient.init({authToken}) learns
from /sdk/server.json (janus_ws_secure) that the Janus WebSocket speaks wss
only and joins over wss://, and everything test_sdk_meeting.py asserts
holds (join, audio and video both ways, disableVideo, kick, no console
errors). The certificate is the one test_tls.py makes; Chromium trusts its
key alone (--ignore-certificate-errors-spki-list), nothing else.
"""

import base64
import hashlib
import os
import ssl
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

from rtk_harness import BUILDDIR, EXIT_SKIP, run_test  # noqa: E402
import test_sdk_meeting  # noqa: E402
from test_tls import make_certificates, tls_env  # noqa: E402

SCREENSHOT = os.path.join(BUILDDIR, "tests", "browser", "demo-page-tls.png")


def spki_hash(cert_path):
    """Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo."""
    pem = subprocess.run(["openssl", "x509", "-in", cert_path, "-pubkey", "-noout"], check=True,
                         stdout=subprocess.PIPE).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pem, check=True,
                         stdout=subprocess.PIPE).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


async def main():
    with tempfile.TemporaryDirectory() as directory:
        certs = make_certificates(directory)
        tls = {"env": tls_env(certs), "ca": ssl.create_default_context(cafile=certs["ca.pem"]),
               "spki": spki_hash(certs["server.pem"])}
        await test_sdk_meeting.main(tls=tls, screenshot=SCREENSHOT)


if __name__ == "__main__":
    if os.environ.get("RTK_SKIP_BROWSER") == "1":
        print("SKIP: RTK_SKIP_BROWSER=1", flush=True)
        sys.exit(EXIT_SKIP)
    run_test(main)
